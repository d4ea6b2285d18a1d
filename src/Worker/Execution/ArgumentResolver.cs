using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Resolves <c>$var:</c> and <c>$res:</c> arguments (spec 3.6) through the API with the job's token, so a
/// job sees exactly what its identity may see. Top-level strings and values inside objects are resolved;
/// arrays are left as they are, as Windmill's worker does. Raw arguments without a reference pass through.
/// </summary>
public sealed class ArgumentResolver(IHttpClientFactory http, WorkerSettings settings)
{
    public async Task<JsonObject> ResolveAsync(JsonObject args, string workspace, string token, Guid jobId, CancellationToken ct)
    {
        var raw = args.ToJsonString();
        if (!raw.Contains("$var:") && !raw.Contains("$res:")) return args;
        var client = http.CreateClient("api");
        var resolved = new JsonObject();
        foreach (var (name, value) in args)
            resolved[name] = await ResolveAsync(client, name, value, workspace, token, jobId, ct);
        return resolved;
    }

    private async Task<JsonNode?> ResolveAsync(HttpClient client, string arg, JsonNode? value, string workspace, string token, Guid jobId, CancellationToken ct)
    {
        switch (value)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s:
                if (s.StartsWith("$var:"))
                    return await GetAsync(client, $"w/{workspace}/variables/get_value/{s[5..]}", token, $"Variable {s[5..]} not found for `{arg}`", ct);
                if (s.StartsWith("$res:"))
                    return await GetAsync(client, $"w/{workspace}/resources/get_value_interpolated/{s[5..]}?job_id={jobId}", token,
                        $"Resource {s[5..]} not found for `{arg}`", ct);
                return value.DeepClone();
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (k, child) in o) result[k] = await ResolveAsync(client, arg, child, workspace, token, jobId, ct);
                return result;
            default:
                return value?.DeepClone();
        }
    }

    private async Task<JsonNode?> GetAsync(HttpClient client, string path, string token, string notFound, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{settings.Services.BaseInternalUrl}/api/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK) throw new JobFailure($"Not found: {notFound}: {body}", "ArgumentError");
        return JsonNode.Parse(body);
    }
}
