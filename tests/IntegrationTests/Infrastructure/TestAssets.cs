using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>Assets as the routes return them, shown as one comparable line: <c>kind:path:access</c> (<c>?</c> when unknown).</summary>
public static class TestAssets
{
    public static string Show(JsonNode? assets) =>
        string.Join(" | ", assets!.AsArray().Select(a => $"{a!["kind"]}:{a["path"]}:{a["access_type"]?.GetValue<string>() ?? "?"}"));
}
