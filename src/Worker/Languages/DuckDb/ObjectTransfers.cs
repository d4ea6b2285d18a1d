using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// Chooses how one job reaches each storage. The API answers <c>v2/s3_resource_info</c> with the storage's
/// connection exactly when the job's identity may browse it (spec 10.2): then the worker goes straight to
/// S3, as the job's own code could. Otherwise (or with <c>S3_DIRECT=false</c>) every transfer goes through
/// <c>job_helpers</c>, which lets the job read and write only the keys it names.
/// </summary>
public sealed class ObjectTransfers(HttpClient http, string baseUrl, string token, string workspace, WorkerSettings settings, S3ObjectCache cache)
    : IDisposable
{
    private readonly Dictionary<string, IObjectTransfer> _byStorage = [];

    public async Task<IObjectTransfer> ForAsync(S3Uri uri, CancellationToken ct)
    {
        if (_byStorage.TryGetValue(uri.StorageName, out var known)) return known;
        IObjectTransfer transfer = new ApiObjectTransfer(http, baseUrl, token, workspace);
        if (settings.S3Direct && await ConnectionAsync(uri.Storage, ct) is { } connection)
            transfer = new DirectObjectTransfer(S3Clients.Create(connection), connection, cache, settings.S3TransferConcurrency);
        return _byStorage[uri.StorageName] = transfer;
    }

    /// <summary>The storage's connection when the job may see it; null when it may not, or when the API says why not (the API path then reports it).</summary>
    private async Task<S3Settings?> ConnectionAsync(string? storage, CancellationToken ct)
    {
        var query = storage is null ? "" : "?storage=" + Uri.EscapeDataString(storage);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl.TrimEnd('/')}/api/w/{workspace}/job_helpers/v2/s3_resource_info{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK) return null;
        return S3Settings.From(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)), storage ?? LargeFileStorage.DefaultName);
    }

    public void Dispose()
    {
        foreach (var t in _byStorage.Values) (t as IDisposable)?.Dispose();
    }
}
