using System.Text.RegularExpressions;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Core.Sql;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// Stages the S3 objects of a DuckDB script through the job's folder (spec 10.6), since httpfs cannot be
/// used here: inputs (globs by listing) are downloaded before the script runs, outputs are uploaded only
/// after it succeeded. <see cref="ObjectTransfers"/> decides, per storage, whether the worker may go
/// straight to S3 or must go through the API's <c>job_helpers</c> routes with the job's token.
/// </summary>
/// <param name="used">Told of every object read and written (runtime asset events, spec 9.5).</param>
public sealed class S3Staging(ObjectTransfers transfers, string dir, Action<S3Uri, AssetAccess> used)
{
    private readonly List<(S3Uri Uri, string Local)> _writes = [];

    /// <summary>
    /// The local path of every reference; reads are downloaded now. An object the script both writes and
    /// reads is read from what it wrote, not from the storage.
    /// </summary>
    public async Task<Dictionary<S3Reference, string>> StageAllAsync(IReadOnlyList<S3Reference> references, CancellationToken ct)
    {
        var written = references.Where(r => r.Written).Select(r => r.Uri).ToHashSet();
        var local = new Dictionary<S3Reference, string>();
        foreach (var r in references)
            local[r] = !r.Written && written.Contains(r.Uri) ? LocalPath("s3out", r.Uri) : await StageAsync(r, ct);
        return local;
    }

    private async Task<string> StageAsync(S3Reference r, CancellationToken ct)
    {
        var local = LocalPath(r.Written ? "s3out" : "s3in", r.Uri);
        if (r.Written)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            if (!_writes.Contains((r.Uri, local))) _writes.Add((r.Uri, local));
            return local;
        }
        var transfer = await transfers.ForAsync(r.Uri, ct);
        if (!r.Uri.IsGlob)
        {
            if (!File.Exists(local)) await transfer.DownloadAsync(r.Uri, local, ct);
            used(r.Uri, AssetAccess.R);
            return local;
        }
        var prefix = r.Uri.Key[..r.Uri.Key.IndexOfAny(['*', '?', '[', '{'])];
        var pattern = GlobRegex(r.Uri.Key);
        var matches = (await transfer.ListAsync(r.Uri, prefix, ct)).Where(k => pattern.IsMatch(k)).ToList();
        if (matches.Count == 0) throw new JobFailure($"no object of storage {r.Uri.StorageName} matches {r.Uri.Key}", "S3Error");
        foreach (var key in matches)
        {
            var file = LocalPath("s3in", r.Uri with { Key = key });
            if (!File.Exists(file)) await transfer.DownloadAsync(r.Uri with { Key = key }, file, ct);
            used(r.Uri with { Key = key }, AssetAccess.R);
        }
        return local; // the same glob, over the downloaded copies
    }

    /// <summary>Uploads what the script wrote (a file, or the files of a partitioned directory).</summary>
    public async Task UploadWritesAsync(CancellationToken ct)
    {
        foreach (var (uri, local) in _writes)
        {
            var transfer = await transfers.ForAsync(uri, ct);
            if (File.Exists(local))
            {
                await transfer.UploadAsync(uri, local, ct);
                used(uri, AssetAccess.W);
            }
            else if (Directory.Exists(local))
                foreach (var file in Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories).Order())
                {
                    var part = uri with { Key = uri.Key.TrimEnd('/') + "/" + Path.GetRelativePath(local, file).Replace('\\', '/') };
                    await transfer.UploadAsync(part, file, ct);
                    used(part, AssetAccess.W);
                }
        }
    }

    /// <summary>{dir}/{area}/{storage}/{key}; a key that would climb out of the job's folder is refused.</summary>
    private string LocalPath(string area, S3Uri uri)
    {
        var root = Path.GetFullPath(Path.Combine(dir, area, uri.StorageName));
        var path = Path.GetFullPath(Path.Combine(root, uri.Key));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || uri.Key.Split('/').Contains(".."))
            throw new JobFailure($"invalid object key {uri.Key}", "S3Error");
        return path;
    }

    /// <summary>DuckDB's glob syntax: <c>*</c> within a segment, <c>**</c> across segments, <c>?</c>, <c>[…]</c>, <c>{a,b}</c>.</summary>
    public static Regex GlobRegex(string glob)
    {
        var rx = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*': rx.Append(".*"); i++; break;
                case '*': rx.Append("[^/]*"); break;
                case '?': rx.Append("[^/]"); break;
                case '[': var close = glob.IndexOf(']', i); rx.Append(close < 0 ? @"\[" : glob[i..(close + 1)]); i = close < 0 ? i : close; break;
                case '{': rx.Append("(?:"); break;
                case '}': rx.Append(')'); break;
                case ',': rx.Append('|'); break;
                default: rx.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(rx.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
