using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// Which rows a SQL script returns (spec 10.6), from a <c>-- result_collection=…</c> comment:
/// <c>last_statement</c> or <c>all_statements</c>, then <c>all_rows</c> or <c>first_row</c>, optionally
/// <c>_scalar</c> (the first column's value instead of the row). The default is
/// <c>last_statement_all_rows</c>: the rows of the last statement as an array of objects.
/// </summary>
public sealed partial record ResultCollection(bool AllStatements, bool FirstRow, bool Scalar)
{
    public static readonly ResultCollection Default = new(false, false, false);

    [GeneratedRegex(@"^\s*--\s*result_collection\s*=\s*([a-z_]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Annotation();

    public static ResultCollection Of(string code)
    {
        var m = Annotation().Match(code);
        if (!m.Success) return Default;
        return m.Groups[1].Value switch
        {
            "last_statement_all_rows" or "legacy" => Default,
            "last_statement_first_row" => new(false, true, false),
            "last_statement_all_rows_scalar" => new(false, false, true),
            "last_statement_first_row_scalar" => new(false, true, true),
            "all_statements_all_rows" => new(true, false, false),
            "all_statements_first_row" => new(true, true, false),
            "all_statements_all_rows_scalar" => new(true, false, true),
            "all_statements_first_row_scalar" => new(true, true, true),
            var other => throw WindmillError.BadRequest(
                $"unknown result_collection '{other}': use last_statement_ or all_statements_, then all_rows or first_row, optionally _scalar"),
        };
    }

    /// <summary>The job's result from each statement's rows, in order.</summary>
    public JsonNode? Collect(IReadOnlyList<JsonArray> statements)
    {
        if (AllStatements) return new JsonArray(statements.Select(One).ToArray());
        return statements.Count == 0 ? new JsonArray() : One(statements[^1]);
    }

    private JsonNode? One(JsonArray rows)
    {
        JsonNode? Value(JsonNode? row) => Scalar && row is JsonObject o ? o.FirstOrDefault().Value?.DeepClone() : row?.DeepClone();
        if (FirstRow) return rows.Count == 0 ? null : Value(rows[0]);
        return new JsonArray(rows.Select(Value).ToArray());
    }
}
