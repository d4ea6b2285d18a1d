using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Resources;

/// <summary>One way a value breaks its resource type's schema, located by JSON pointer.</summary>
public sealed record SchemaViolation(string Pointer, string Message)
{
    public override string ToString() => $"{(Pointer.Length == 0 ? "/" : Pointer)}: {Message}";
}

/// <summary>
/// A resource type's JSON Schema, used to check resource values (better than Windmill, which stores any
/// JSON). Strings that are still <c>$var:</c>/<c>$res:</c> references are not judged: they stand for
/// values resolved when the resource is read.
/// </summary>
public sealed class ResourceSchema
{
    private readonly JsonSchema _schema;

    private ResourceSchema(JsonSchema schema) => _schema = schema;

    /// <summary>Parses a schema; null when the type has none worth checking (no schema, or an empty one).</summary>
    public static ResourceSchema? TryParse(string? schemaJson)
    {
        if (string.IsNullOrWhiteSpace(schemaJson)) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(schemaJson); }
        catch (JsonException) { return null; }
        if (node is not JsonObject obj || obj.Count == 0) return null;
        try { return new ResourceSchema(JsonSchema.FromJsonAsync(schemaJson).GetAwaiter().GetResult()); }
        catch (Exception) { return null; }
    }

    /// <summary>Checks that a schema given by a user can be used: a JSON object that parses as JSON Schema.</summary>
    public static void CheckUsable(JsonNode? schema, string typeName)
    {
        if (schema is null) return;
        if (schema is not JsonObject)
            throw WindmillError.BadRequest($"schema of resource type {typeName} must be a JSON object");
        try { JsonSchema.FromJsonAsync(schema.ToJsonString()).GetAwaiter().GetResult(); }
        catch (Exception e) { throw WindmillError.BadRequest($"schema of resource type {typeName} is not a valid JSON Schema: {e.Message}"); }
    }

    public IReadOnlyList<SchemaViolation> Validate(JsonNode? value)
    {
        var json = value?.ToJsonString() ?? "null";
        var violations = new List<SchemaViolation>();
        foreach (var error in _schema.Validate(json))
            Flatten(error, violations);
        return violations
            .Where(v => !IsUnderReference(value, v.Pointer))
            .Distinct()
            .OrderBy(v => v.Pointer, StringComparer.Ordinal)
            .ToList();
    }

    private static void Flatten(ValidationError error, List<SchemaViolation> into)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            // oneOf/anyOf: report the branch errors, which say what is actually wrong.
            var before = into.Count;
            foreach (var nested in child.Errors.SelectMany(e => e.Value)) Flatten(nested, into);
            if (into.Count > before) return;
        }
        into.Add(new SchemaViolation(ToPointer(error.Path), Describe(error.Kind)));
    }

    private static string ToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#") return "";
        var p = path.StartsWith('#') ? path[1..] : path;
        // NJsonSchema writes array items as "#/items[2]"; JSON pointer wants "/items/2".
        p = p.Replace("[", "/").Replace("]", "");
        return p.StartsWith('/') ? p : "/" + p;
    }

    private static string Describe(ValidationErrorKind kind)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(kind.ToString(), "(?<!^)([A-Z])", " $1").ToLowerInvariant();
        return kind switch
        {
            ValidationErrorKind.PropertyRequired => "is required",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not an allowed property",
            _ => words,
        };
    }

    /// <summary>True when the pointer lands on (or inside) a string that is a still-unresolved reference.</summary>
    private static bool IsUnderReference(JsonNode? value, string pointer)
    {
        var node = value;
        if (IsReference(node)) return true;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/").Replace("~0", "~");
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(segment, out var c) ? c : null,
                JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (node is null) return false;
            if (IsReference(node)) return true;
        }
        return false;
    }

    private static bool IsReference(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && ValueReference.IsUnresolvedReference(v.GetValue<string>());
}
