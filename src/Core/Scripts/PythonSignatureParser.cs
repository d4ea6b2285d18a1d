using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// Reads <c>def main(...)</c> of a Python script: names, type hints and defaults, as Windmill's parser
/// does. <c>int</c>→integer, <c>float</c>→number, <c>str</c>→string, <c>bool</c>→boolean,
/// <c>dict</c>→object, <c>list</c>→array, <c>bytes</c>→base64 string, <c>datetime</c>→date-time string;
/// a lowercase class name such as <c>postgresql</c> is a resource type.
/// </summary>
public static partial class PythonSignatureParser
{
    [GeneratedRegex(@"^def\s+main\s*\(", RegexOptions.Multiline)]
    private static partial Regex MainDef();

    public static ScriptSignature Parse(string code)
    {
        var m = MainDef().Match(code);
        if (!m.Success) return ScriptSignature.Empty;
        var inner = ReadBalanced(code, m.Index + m.Length);
        var parameters = new List<ScriptParameter>();
        foreach (var raw in SplitTopLevel(inner, ','))
        {
            var part = raw.Trim();
            if (part.Length == 0 || part.StartsWith('*') || part == "/") continue;
            var (nameAndType, defaultText) = SplitOnce(part, '=');
            var (name, type) = SplitOnce(nameAndType, ':');
            name = name.Trim();
            if (name.Length == 0) continue;
            var schema = SchemaOf(type?.Trim());
            var hasDefault = defaultText is not null;
            var dflt = hasDefault ? LiteralToJson(defaultText!.Trim()) : null;
            if (type is null && dflt is not null) schema = SchemaOfValue(dflt) ?? schema;
            parameters.Add(new ScriptParameter(name, schema, dflt, hasDefault, parameters.Count));
        }
        return new ScriptSignature(parameters);
    }

    private static JsonObject SchemaOf(string? type)
    {
        if (string.IsNullOrEmpty(type)) return new JsonObject();
        var t = type.Replace(" ", "");
        var optional = t.StartsWith("Optional[") && t.EndsWith(']');
        if (optional) t = t[9..^1];
        if (t.EndsWith("|None")) t = t[..^5];
        var baseType = t.Split('[')[0];
        return baseType switch
        {
            "int" => new JsonObject { ["type"] = "integer" },
            "float" => new JsonObject { ["type"] = "number" },
            "str" => new JsonObject { ["type"] = "string" },
            "bool" => new JsonObject { ["type"] = "boolean" },
            "dict" or "Dict" => new JsonObject { ["type"] = "object" },
            "list" or "List" => ListSchema(t),
            "bytes" => new JsonObject { ["type"] = "string", ["contentEncoding"] = "base64" },
            "datetime" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            "S3Object" => new JsonObject { ["type"] = "object", ["format"] = "resource-s3_object" },
            _ when baseType.Length > 0 && char.IsLower(baseType[0]) && baseType.All(c => char.IsLetterOrDigit(c) || c == '_')
                => new JsonObject { ["type"] = "object", ["format"] = "resource-" + baseType },
            _ => new JsonObject(),
        };
    }

    private static JsonObject ListSchema(string t)
    {
        var schema = new JsonObject { ["type"] = "array" };
        var open = t.IndexOf('[');
        if (open > 0 && t.EndsWith(']'))
        {
            var item = SchemaOf(t[(open + 1)..^1]);
            if (item.Count > 0) schema["items"] = item;
        }
        return schema;
    }

    private static JsonObject? SchemaOfValue(JsonNode v) => v.GetValueKind() switch
    {
        JsonValueKind.String => new JsonObject { ["type"] = "string" },
        JsonValueKind.Number => v.ToJsonString().Contains('.') ? new JsonObject { ["type"] = "number" } : new JsonObject { ["type"] = "integer" },
        JsonValueKind.True or JsonValueKind.False => new JsonObject { ["type"] = "boolean" },
        JsonValueKind.Array => new JsonObject { ["type"] = "array" },
        JsonValueKind.Object => new JsonObject { ["type"] = "object" },
        _ => null,
    };

    /// <summary>A Python literal default (numbers, strings, True/False/None, lists, dicts) as JSON; anything else as its text.</summary>
    private static JsonNode? LiteralToJson(string text)
    {
        var json = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\'' or '"')
            {
                var end = i + 1;
                var sb = new StringBuilder();
                while (end < text.Length && text[end] != c) { if (text[end] == '\\' && end + 1 < text.Length) end++; sb.Append(text[end]); end++; }
                json.Append(JsonSerializer.Serialize(sb.ToString()));
                i = end;
            }
            else if (char.IsLetter(c))
            {
                var end = i;
                while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_')) end++;
                var word = text[i..end];
                json.Append(word switch { "True" => "true", "False" => "false", "None" => "null", _ => JsonSerializer.Serialize(word) });
                i = end - 1;
            }
            else json.Append(c switch { '(' => '[', ')' => ']', _ => c });
        }
        try { return JsonNode.Parse(json.ToString()); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    private static string ReadBalanced(string code, int start)
    {
        var depth = 1;
        char? quote = null;
        for (var i = start; i < code.Length; i++)
        {
            var c = code[i];
            if (quote is not null) { if (c == '\\') i++; else if (c == quote) quote = null; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') { depth--; if (depth == 0) return code[start..i]; }
        }
        return code[start..];
    }

    internal static IEnumerable<string> SplitTopLevel(string s, char separator)
    {
        var depth = 0;
        char? quote = null;
        var last = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote is not null) { if (c == '\\') i++; else if (c == quote) quote = null; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == separator && depth == 0) { yield return s[last..i]; last = i + 1; }
        }
        yield return s[last..];
    }

    private static (string, string?) SplitOnce(string s, char separator)
    {
        var parts = SplitTopLevel(s, separator).ToList();
        return parts.Count == 1 ? (parts[0], null) : (parts[0], string.Join(separator, parts.Skip(1)));
    }
}
