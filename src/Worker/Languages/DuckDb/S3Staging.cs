using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Windmill.Jobs.Core.Sql;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// Stages the S3 objects of a DuckDB script through the job's folder (spec 10.6), since httpfs cannot be
/// used here: inputs (globs by listing) are downloaded before the script runs, outputs are uploaded only
/// after it succeeded. Every transfer goes through the API's <c>job_helpers</c> routes with the job's token,
/// so the job reads and writes exactly what its identity may.
/// </summary>
public sealed class S3Staging(HttpClient http, string baseUrl, string token, string workspace, string dir)
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
        if (!r.Uri.IsGlob)
        {
            if (!File.Exists(local)) await DownloadAsync(r.Uri, local, ct);
            return local;
        }
        var matches = await ListAsync(r.Uri, ct);
        if (matches.Count == 0) throw new JobFailure($"no object of storage {r.Uri.StorageName} matches {r.Uri.Key}", "S3Error");
        foreach (var key in matches)
        {
            var file = LocalPath("s3in", r.Uri with { Key = key });
            if (!File.Exists(file)) await DownloadAsync(r.Uri with { Key = key }, file, ct);
        }
        return local; // the same glob, over the downloaded copies
    }

    /// <summary>Uploads what the script wrote (a file, or the files of a partitioned directory).</summary>
    public async Task UploadWritesAsync(CancellationToken ct)
    {
        foreach (var (uri, local) in _writes)
        {
            if (File.Exists(local)) await UploadAsync(uri, local, ct);
            else if (Directory.Exists(local))
                foreach (var file in Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories).Order())
                    await UploadAsync(uri with { Key = uri.Key.TrimEnd('/') + "/" + Path.GetRelativePath(local, file).Replace('\\', '/') }, file, ct);
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

    private string Url(string route, string query) => $"{baseUrl.TrimEnd('/')}/api/w/{workspace}/job_helpers/{route}?{query}";

    private static string Query(S3Uri uri, string keyName = "file_key") =>
        $"{keyName}={Uri.EscapeDataString(uri.Key)}" + (uri.Storage is { } s ? "&storage=" + Uri.EscapeDataString(s) : "");

    private HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task DownloadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        using var response = await http.SendAsync(Request(HttpMethod.Get, Url("download_s3_file", Query(uri))), HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureAsync(response, uri, "read", ct);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await using var file = File.Create(local);
        await response.Content.CopyToAsync(file, ct);
    }

    private async Task UploadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        await using var file = File.OpenRead(local);
        using var request = Request(HttpMethod.Post, Url("upload_s3_file", Query(uri)));
        request.Content = new StreamContent(file);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.SendAsync(request, ct);
        await EnsureAsync(response, uri, "write", ct);
    }

    /// <summary>The keys a glob matches, listing from the part of the key before its first wildcard.</summary>
    private async Task<List<string>> ListAsync(S3Uri glob, CancellationToken ct)
    {
        var prefix = glob.Key[..glob.Key.IndexOfAny(['*', '?', '[', '{'])];
        var pattern = GlobRegex(glob.Key);
        var keys = new List<string>();
        string? marker = null;
        do
        {
            var query = $"prefix={Uri.EscapeDataString(prefix)}" + (glob.Storage is { } s ? "&storage=" + Uri.EscapeDataString(s) : "") +
                        (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker));
            using var response = await http.SendAsync(Request(HttpMethod.Get, Url("list_stored_files", query)), ct);
            await EnsureAsync(response, glob, "list", ct);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            keys.AddRange(page["windmill_large_files"]!.AsArray().Select(f => f!["s3"]!.GetValue<string>()).Where(k => pattern.IsMatch(k)));
            marker = page["next_marker"]?.GetValue<string>();
        } while (marker is not null);
        return keys;
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

    private static async Task EnsureAsync(HttpResponseMessage response, S3Uri uri, string action, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var message = await response.Content.ReadAsStringAsync(ct);
        throw new JobFailure(response.StatusCode == HttpStatusCode.NotFound
            ? $"{uri}: {message}"
            : $"cannot {action} {uri}: {(int)response.StatusCode} {message}", "S3Error");
    }
}
