using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>What the API answered: status, body text and content type.</summary>
/// <param name="Warning">The <c>x-windmill-warning</c> header (deploys whose asset detection was partial).</param>
public sealed record Reply(int Status, string Body, string? ContentType, string? Warning = null)
{
    public JsonNode? Json => JsonNode.Parse(Body);
    public bool IsJson => ContentType?.StartsWith("application/json") == true;
    public override string ToString() => $"{Status} {Body}";
}

/// <summary>Plain HTTP to the API with one bearer token, the way curl or the official clients call it.</summary>
public sealed class ApiClient(string baseUrl, string? token)
{
    // No cookie jar: a login sets the token cookie, and later requests must carry only the token named here.
    private static readonly HttpClient Http = new(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public string BaseUrl => baseUrl;
    public string? Token => token;

    public Task<Reply> Get(string path) => Send(HttpMethod.Get, path, null);
    public Task<Reply> Delete(string path, object? body = null) => Send(HttpMethod.Delete, path, body);
    public Task<Reply> Post(string path, object? body = null) => Send(HttpMethod.Post, path, body);

    /// <summary>Sends a body exactly as given (for malformed JSON tests).</summary>
    public Task<Reply> PostRaw(string path, string rawBody, string contentType = "application/json") =>
        Send(HttpMethod.Post, path, new StringContent(rawBody, Encoding.UTF8, contentType));

    private async Task<Reply> Send(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, baseUrl + "/api/" + path.TrimStart('/'));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = body switch
        {
            null => null,
            HttpContent c => c,
            JsonNode n => new StringContent(n.ToJsonString(), Encoding.UTF8, "application/json"),
            string s => new StringContent(JsonSerializer.Serialize(s), Encoding.UTF8, "application/json"),
            _ => new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        using var response = await Http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString(),
            response.Headers.TryGetValues("x-windmill-warning", out var warning) ? string.Join("; ", warning) : null);
    }

    public ApiClient As(string? otherToken) => new(baseUrl, otherToken);

    /// <summary>The same caller against another API replica.</summary>
    public ApiClient At(string otherBaseUrl) => new(otherBaseUrl, token);
}
