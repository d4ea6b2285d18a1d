using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// The worker's copies of S3 objects its DuckDB jobs read or wrote, so that a pipeline reading the same
/// input again (a scheduled watcher, the next step of a flow on this worker) does not fetch it again. An
/// entry is named after the object's endpoint, bucket, key, size and ETag, and is only used after a HEAD
/// of the object returned that same ETag and size: a changed object is never served stale. Bounded by
/// <c>S3_CACHE_MB</c> (0 turns it off), least recently used first out. Entries are hard-linked into job
/// folders, so an eviction never pulls a file from under a running job.
/// </summary>
public sealed class S3ObjectCache
{
    private readonly string _dir;
    private readonly long _capacity;
    private readonly Lock _evicting = new();

    public S3ObjectCache(WorkerSettings settings)
    {
        _dir = Path.Combine(settings.JobDir, ".s3cache");
        _capacity = settings.S3CacheBytes;
        if (Enabled) Directory.CreateDirectory(_dir);
    }

    public bool Enabled => _capacity > 0;

    /// <summary>Whether an object of this size may be kept at all.</summary>
    public bool Fits(long size) => Enabled && size <= _capacity;

    public string EntryPath(ObjectVersion version) => Path.Combine(_dir, version.Hash());

    /// <summary>A file in the cache's folder to download into before <see cref="Commit"/>.</summary>
    public string TemporaryPath() => Path.Combine(_dir, "tmp-" + Guid.NewGuid().ToString("N"));

    /// <summary>Links the cached copy to <paramref name="local"/> when there is one.</summary>
    public bool TryLinkTo(ObjectVersion version, string local)
    {
        if (!Enabled) return false;
        var entry = EntryPath(version);
        try
        {
            LinkOrCopy(entry, local);
            File.SetLastWriteTimeUtc(entry, DateTime.UtcNow); // recently used
            return true;
        }
        catch (FileNotFoundException) { return false; }
    }

    /// <summary>Moves a downloaded temporary file in as the entry of <paramref name="version"/>, then links it to <paramref name="local"/>.</summary>
    public void Commit(string temporary, ObjectVersion version, string local)
    {
        var entry = EntryPath(version);
        File.Move(temporary, entry, overwrite: true);
        LinkOrCopy(entry, local);
        Evict();
    }

    /// <summary>Keeps a file a job just uploaded as the entry of the version the storage answered with.</summary>
    public void Keep(string local, ObjectVersion version)
    {
        if (!Fits(version.Size)) return;
        var temporary = TemporaryPath();
        LinkOrCopy(local, temporary);
        File.Move(temporary, EntryPath(version), overwrite: true);
        Evict();
    }

    private static void LinkOrCopy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        if (File.Exists(to)) File.Delete(to);
        if (!File.Exists(from)) throw new FileNotFoundException(from);
        if (link(from, to) != 0) File.Copy(from, to); // another filesystem
    }

    private void Evict()
    {
        lock (_evicting)
        {
            var entries = new DirectoryInfo(_dir).EnumerateFiles().Where(f => !f.Name.StartsWith("tmp-")).OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            long kept = 0;
            foreach (var f in entries)
            {
                kept += f.Length;
                if (kept > _capacity) f.Delete();
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
