using Windmill.Jobs.Core.Assets;

namespace Windmill.Jobs.UnitTests;

/// <summary>Detected assets as one comparable line: <c>kind:path:access</c> (<c>?</c> when unknown), in the parser's order.</summary>
internal static class AssetTestFormat
{
    public static string Show(IEnumerable<DetectedAsset> assets) =>
        string.Join(" | ", assets.Select(a => $"{a.Kind.Name()}:{a.Path}:{a.Access?.Name() ?? "?"}"));
}
