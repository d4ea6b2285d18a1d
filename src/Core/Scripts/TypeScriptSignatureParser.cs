using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// Reads <c>export (async) function main(...)</c> of a TypeScript script: <c>number</c>, <c>string</c>,
/// <c>boolean</c>, arrays, objects; <c>RT.Postgresql</c> or a type named like a resource type becomes a resource.
/// </summary>
public static partial class TypeScriptSignatureParser
{
    [GeneratedRegex(@"export\s+(?:async\s+)?function\s+main\s*(?:<[^>]*>)?\s*\(")]
    private static partial Regex MainDef();

    public static ScriptSignature Parse(string code)
    {
        var m = MainDef().Match(code);
        if (!m.Success) return ScriptSignature.Empty;
        var depth = 1;
        var end = m.Index + m.Length;
        for (; end < code.Length && depth > 0; end++)
        {
            if (code[end] is '(' or '[' or '{' or '<') depth++;
            else if (code[end] is ')' or ']' or '}' or '>') depth--;
        }
        var inner = code[(m.Index + m.Length)..(end - 1)];
        var parameters = new List<ScriptParameter>();
        foreach (var raw in PythonSignatureParser.SplitTopLevel(inner, ','))
        {
            var part = raw.Trim();
            if (part.Length == 0) continue;
            var eq = IndexOfTopLevel(part, '=');
            var decl = eq >= 0 ? part[..eq] : part;
            var dfltText = eq >= 0 ? part[(eq + 1)..].Trim() : null;
            var colon = decl.IndexOf(':');
            var name = (colon >= 0 ? decl[..colon] : decl).Trim().TrimEnd('?');
            var optional = (colon >= 0 ? decl[..colon] : decl).Trim().EndsWith('?');
            var type = colon >= 0 ? decl[(colon + 1)..].Trim() : null;
            JsonNode? dflt = null;
            if (dfltText is not null)
            {
                try { dflt = JsonNode.Parse(dfltText.Replace('\'', '"')); }
                catch (JsonException) { dflt = JsonValue.Create(dfltText); }
            }
            parameters.Add(new ScriptParameter(name, SchemaOf(type), dflt, dfltText is not null || optional, parameters.Count));
        }
        return new ScriptSignature(parameters);
    }

    private static int IndexOfTopLevel(string s, char c)
    {
        var depth = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is '(' or '[' or '{' or '<') depth++;
            else if (s[i] is ')' or ']' or '}' or '>') depth--;
            else if (s[i] == c && depth == 0 && (i + 1 >= s.Length || s[i + 1] != '>')) return i;
        }
        return -1;
    }

    private static JsonObject SchemaOf(string? type)
    {
        if (string.IsNullOrEmpty(type)) return new JsonObject();
        var t = type.Replace(" ", "");
        if (t.EndsWith("[]") || t.StartsWith("Array<")) return new JsonObject { ["type"] = "array" };
        return t switch
        {
            "number" => new JsonObject { ["type"] = "number" },
            "string" => new JsonObject { ["type"] = "string" },
            "boolean" => new JsonObject { ["type"] = "boolean" },
            "object" or "any" => new JsonObject { ["type"] = "object" },
            "Date" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            "S3Object" or "wmill.S3Object" => new JsonObject { ["type"] = "object", ["format"] = "resource-s3_object" },
            _ when t.StartsWith("RT.") => new JsonObject { ["type"] = "object", ["format"] = "resource-" + ToSnake(t[3..]) },
            _ when t.StartsWith("Record<") || t.StartsWith('{') => new JsonObject { ["type"] = "object" },
            _ when Regex.IsMatch(t, "^[A-Z][A-Za-z0-9]*$") => new JsonObject { ["type"] = "object", ["format"] = "resource-" + ToSnake(t) },
            _ => new JsonObject(),
        };
    }

    private static string ToSnake(string name) => Regex.Replace(name, "(?<!^)([A-Z])", "_$1").ToLowerInvariant();
}
