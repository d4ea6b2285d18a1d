using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Static assets of a flow (spec 9.1): each inline step (<c>rawscript</c>) is detected in its language,
/// wherever it sits (loops, branches, the failure and preprocessor modules); the flow's assets are their
/// merge. Steps that run a deployed script are listed by path, since their assets are that script's.
/// </summary>
public sealed record FlowAssets(
    Dictionary<string, List<DetectedAsset>> ByModule, Dictionary<string, string> ScriptSteps, List<DetectedAsset> Merged, List<string> Warnings)
{
    public static FlowAssets Detect(JsonNode? flowValue)
    {
        var byModule = new Dictionary<string, List<DetectedAsset>>();
        var scripts = new Dictionary<string, string>();
        var warnings = new List<string>();
        Visit(flowValue, byModule, scripts, warnings);
        return new FlowAssets(byModule, scripts, AssetSet.Merge(byModule.Values.SelectMany(a => a)), warnings);
    }

    private static void Visit(JsonNode? node, Dictionary<string, List<DetectedAsset>> byModule, Dictionary<string, string> scripts, List<string> warnings)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) Visit(item, byModule, scripts, warnings);
                break;
            case JsonObject o:
                if (Text(o["id"]) is { } id && o["value"] is JsonObject value)
                {
                    if (Text(value["type"]) == "rawscript" && Text(value["language"]) is { } language && Text(value["content"]) is { } content)
                    {
                        var detection = AssetDetector.Detect(language, content);
                        byModule[id] = detection.Assets;
                        if (detection.Warning is not null) warnings.Add($"step {id}: {detection.Warning}");
                    }
                    else if (Text(value["type"]) == "script" && Text(value["path"]) is { } path) scripts[id] = path;
                }
                foreach (var (_, child) in o) Visit(child, byModule, scripts, warnings);
                break;
        }
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
