using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>One argument of a script's <c>main</c>, as read from its code.</summary>
/// <param name="Schema">The JSON Schema of the value (e.g. <c>{"type":"integer"}</c>).</param>
/// <param name="Default">The default written in the code, or null when there is none.</param>
/// <param name="Position">Order in the signature (bash <c>$1</c> is 0, SQL <c>$1</c> is 0).</param>
public sealed record ScriptParameter(string Name, JsonObject Schema, JsonNode? Default, bool HasDefault, int Position);

/// <summary>A script's arguments and the JSON Schema built from them (what Windmill stores as <c>schema</c>).</summary>
public sealed record ScriptSignature(IReadOnlyList<ScriptParameter> Parameters)
{
    public static readonly ScriptSignature Empty = new([]);

    public JsonObject ToSchema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var p in Parameters)
        {
            var prop = (JsonObject)p.Schema.DeepClone();
            if (p.HasDefault) prop["default"] = p.Default?.DeepClone();
            properties[p.Name] = prop;
            if (!p.HasDefault) required.Add(p.Name);
        }
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
        };
    }
}
