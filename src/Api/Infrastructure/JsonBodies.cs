using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Request bodies that are not objects of a known shape: a bare JSON string, or any JSON value.</summary>
public static class JsonBodies
{
    public static async Task<string> ReadStringAsync(HttpRequest request, CancellationToken ct)
    {
        var node = await ReadAnyAsync(request, ct);
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw WindmillError.BadRequest("the body must be a JSON string");
    }

    public static async Task<JsonNode?> ReadAnyAsync(HttpRequest request, CancellationToken ct)
    {
        try { return await JsonNode.ParseAsync(request.Body, cancellationToken: ct); }
        catch (JsonException e) { throw WindmillError.BadRequest("invalid JSON body: " + e.Message); }
    }
}
