using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// Checks job arguments against a script's schema before the job is queued: every required argument is
/// given, and each given one has the declared JSON type. Reference strings (<c>$var:</c>, <c>$res:</c>,
/// <c>$encrypted:</c>) stand for values resolved when the job runs and are accepted anywhere.
/// </summary>
public static class ArgumentCheck
{
    public static void Validate(JsonObject? schema, JsonObject args, string runnable)
    {
        if (schema?["properties"] is not JsonObject properties) return;
        var required = schema["required"] as JsonArray ?? [];
        foreach (var name in required.Select(r => r?.GetValue<string>()).OfType<string>())
            if (!args.ContainsKey(name) && properties[name]?["default"] is null)
                throw WindmillError.BadRequest($"argument {name} of {runnable} is required");
        foreach (var (name, value) in args)
        {
            if (properties[name] is not JsonObject prop || prop["type"] is not JsonValue t) continue;
            if (value is JsonValue sv && sv.GetValueKind() == JsonValueKind.String &&
                (ValueReference.IsUnresolvedReference(sv.GetValue<string>()) || sv.GetValue<string>().StartsWith("$encrypted:")))
                continue;
            var type = t.GetValue<string>();
            if (value is null) continue; // null is "not given": the script's own default applies
            if (!Fits(type, prop, value))
                throw WindmillError.BadRequest($"argument {name} of {runnable} must be {Describe(type, prop)}, not {Kind(value)}");
        }
    }

    private static bool Fits(string type, JsonObject prop, JsonNode value) => type switch
    {
        "string" => value.GetValueKind() == JsonValueKind.String,
        "integer" => value.GetValueKind() == JsonValueKind.Number && value is JsonValue v && v.TryGetValue<decimal>(out var d) && d == decimal.Truncate(d),
        "number" => value.GetValueKind() == JsonValueKind.Number,
        "boolean" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "array" => value.GetValueKind() == JsonValueKind.Array,
        // Resource and S3Object arguments may also be given as a path string (res://, s3://).
        "object" => value.GetValueKind() == JsonValueKind.Object || (prop["format"] is not null && value.GetValueKind() == JsonValueKind.String),
        _ => true,
    };

    private static string Describe(string type, JsonObject prop) =>
        prop["format"]?.GetValue<string>() is { } f && f.StartsWith("resource-") ? $"a {f[9..]} resource" : type switch
        {
            "integer" => "an integer",
            "array" => "an array",
            "object" => "an object",
            _ => "a " + type,
        };

    private static string Kind(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
