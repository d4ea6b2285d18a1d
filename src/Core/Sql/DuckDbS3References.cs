using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Core.Sql;

/// <summary>An <c>s3://</c> literal of a DuckDB script: where it stands, what it names, and whether the script writes it.</summary>
public sealed record S3Reference(int Start, int Length, S3Uri Uri, bool Written);

/// <summary>
/// The S3 objects a DuckDB script touches (spec 10.6), found with the SQL tokenizer so a URI in a comment
/// is ignored. <c>s3object</c> arguments become quoted <c>s3://</c> literals first, as Windmill substitutes
/// them. A literal right after <c>TO</c> (<c>COPY … TO 's3://…'</c>) is written; every other one is read
/// (<c>read_parquet</c>, <c>read_csv</c>, <c>read_json</c>, <c>FROM '…'</c>). The worker stages them through
/// local files, since DuckDB's httpfs is not available here.
/// </summary>
public static class DuckDbS3References
{
    /// <summary>Replaces each <c>$name</c> of an s3object argument (outside strings and comments) with its URI as a SQL literal.</summary>
    public static string SubstituteS3Objects(string sql, IReadOnlyDictionary<string, S3Uri> arguments)
    {
        if (arguments.Count == 0) return sql;
        var tokens = SqlTokenizer.Tokenize(sql);
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].IsSymbol('$') && i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.Word
                && arguments.TryGetValue(tokens[i + 1].Text, out var uri))
            {
                text.Append('\'').Append(uri.ToString().Replace("'", "''")).Append('\'');
                i++;
                continue;
            }
            text.Append(tokens[i].Text);
        }
        return text.ToString();
    }

    public static List<S3Reference> Find(string sql)
    {
        var tokens = SqlTokenizer.Tokenize(sql);
        var found = new List<S3Reference>();
        SqlToken? previous = null;
        foreach (var t in tokens)
        {
            if (t.IsTrivia) continue;
            if (t.Kind == SqlTokenKind.String && S3Uri.TryParse(t.Value, out var uri))
                found.Add(new S3Reference(t.Start, t.Length, uri, previous is { } p && p.IsWord("to")));
            previous = t;
        }
        return found;
    }

    /// <summary>The script with each reference replaced by the quoted local path the worker chose for it.</summary>
    public static string Rewrite(string sql, IReadOnlyList<S3Reference> references, Func<S3Reference, string> localPath)
    {
        var text = new System.Text.StringBuilder();
        var at = 0;
        foreach (var r in references.OrderBy(r => r.Start))
        {
            text.Append(sql, at, r.Start - at).Append('\'').Append(localPath(r).Replace("'", "''")).Append('\'');
            at = r.Start + r.Length;
        }
        return text.Append(sql, at, sql.Length - at).ToString();
    }
}
