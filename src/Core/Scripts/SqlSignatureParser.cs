using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// SQL arguments come from leading comments. PostgreSQL: <c>-- $1 name</c>, <c>-- $1 name = default</c>,
/// <c>-- $1 name (type)</c>. DuckDB: <c>-- $name (type) = default</c>. A <c>database</c> argument typed as
/// a resource (<c>postgresql</c>) is added for PostgreSQL scripts, as Windmill does.
/// </summary>
public static partial class SqlSignatureParser
{
    [GeneratedRegex(@"^\s*--\s*\$(\d+)\s+(\w+)\s*(?:\((\w+(?:\[\])?)\))?\s*(?:=\s*(.*?))?\s*$", RegexOptions.Multiline)]
    private static partial Regex Positional();

    [GeneratedRegex(@"^\s*--\s*\$([A-Za-z_]\w*)\s*(?:\((\w+(?:\[\])?)\))?\s*(?:=\s*(.*?))?\s*$", RegexOptions.Multiline)]
    private static partial Regex Named();

    public static ScriptSignature ParsePostgres(string code)
    {
        var parameters = new List<ScriptParameter>
        {
            new("database", new JsonObject { ["type"] = "object", ["format"] = "resource-postgresql" }, null, false, -1),
        };
        foreach (Match m in Positional().Matches(code))
        {
            var type = m.Groups[3].Success ? m.Groups[3].Value : "text";
            var hasDefault = m.Groups[4].Success && m.Groups[4].Value.Length > 0;
            parameters.Add(new ScriptParameter(m.Groups[2].Value, SchemaOf(type),
                hasDefault ? DefaultOf(m.Groups[4].Value, type) : null, hasDefault, int.Parse(m.Groups[1].Value) - 1));
        }
        return new ScriptSignature(parameters);
    }

    public static ScriptSignature ParseDuckDb(string code)
    {
        var parameters = new List<ScriptParameter>();
        foreach (Match m in Named().Matches(code))
        {
            var type = m.Groups[2].Success ? m.Groups[2].Value : "text";
            var hasDefault = m.Groups[3].Success && m.Groups[3].Value.Length > 0;
            if (parameters.Any(p => p.Name == m.Groups[1].Value)) continue;
            parameters.Add(new ScriptParameter(m.Groups[1].Value, SchemaOf(type),
                hasDefault ? DefaultOf(m.Groups[3].Value, type) : null, hasDefault, parameters.Count));
        }
        return new ScriptSignature(parameters);
    }

    /// <summary>The SQL type a parameter is bound as (PostgreSQL names; DuckDB shares most of them).</summary>
    public static string SqlTypeOf(ScriptParameter p) =>
        p.Schema["x-sql-type"]?.GetValue<string>() ?? "text";

    private static JsonObject SchemaOf(string sqlType)
    {
        var t = sqlType.ToLowerInvariant();
        var schema = t switch
        {
            "int" or "int2" or "int4" or "int8" or "integer" or "bigint" or "smallint" or "serial" => new JsonObject { ["type"] = "integer" },
            "float" or "float4" or "float8" or "real" or "double" or "numeric" or "decimal" => new JsonObject { ["type"] = "number" },
            "bool" or "boolean" => new JsonObject { ["type"] = "boolean" },
            "json" or "jsonb" => new JsonObject(),
            "date" => new JsonObject { ["type"] = "string", ["format"] = "date" },
            "timestamp" or "timestamptz" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            "s3object" => new JsonObject { ["type"] = "object", ["format"] = "resource-s3_object" },
            _ when t.EndsWith("[]") => new JsonObject { ["type"] = "array" },
            _ => new JsonObject { ["type"] = "string" },
        };
        schema["x-sql-type"] = t;
        return schema;
    }

    private static JsonNode? DefaultOf(string text, string sqlType)
    {
        var t = text.Trim();
        if (t.Length >= 2 && t[0] == '\'' && t[^1] == '\'') return JsonValue.Create(t[1..^1]);
        try
        {
            var parsed = JsonNode.Parse(t);
            if (parsed is not null) return parsed;
        }
        catch (JsonException) { }
        return JsonValue.Create(t);
    }
}
