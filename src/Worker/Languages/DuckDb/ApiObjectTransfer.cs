using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// Transfers through the API's <c>job_helpers</c> routes with the job's token: the path for a job that may
/// read and write known keys of a storage but not see its credentials.
/// </summary>
public sealed class ApiObjectTransfer(HttpClient http, string baseUrl, string token, string workspace) : IObjectTransfer
{
    public async Task DownloadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        using var response = await http.SendAsync(Request(HttpMethod.Get, Url("download_s3_file", Query(uri))), HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureAsync(response, uri, "read", ct);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await using var file = File.Create(local);
        await response.Content.CopyToAsync(file, ct);
    }

    public async Task UploadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        await using var file = File.OpenRead(local);
        using var request = Request(HttpMethod.Post, Url("upload_s3_file", Query(uri)));
        request.Content = new StreamContent(file);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.SendAsync(request, ct);
        await EnsureAsync(response, uri, "write", ct);
    }

    public async Task<List<string>> ListAsync(S3Uri glob, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        string? marker = null;
        do
        {
            var query = $"prefix={Uri.EscapeDataString(prefix)}" + StorageQuery(glob) + (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker));
            using var response = await http.SendAsync(Request(HttpMethod.Get, Url("list_stored_files", query)), ct);
            await EnsureAsync(response, glob, "list", ct);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            keys.AddRange(page["windmill_large_files"]!.AsArray().Select(f => f!["s3"]!.GetValue<string>()));
            marker = page["next_marker"]?.GetValue<string>();
        } while (marker is not null);
        return keys;
    }

    private string Url(string route, string query) => $"{baseUrl.TrimEnd('/')}/api/w/{workspace}/job_helpers/{route}?{query}";

    private static string StorageQuery(S3Uri uri) => uri.Storage is { } s ? "&storage=" + Uri.EscapeDataString(s) : "";

    private static string Query(S3Uri uri) => $"file_key={Uri.EscapeDataString(uri.Key)}" + StorageQuery(uri);

    private HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
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
