using Windmill.Jobs.Core.Sql;

namespace Windmill.Jobs.Core.Assets;

/// <summary>Windmill's <c>detect_sql_access_type</c>: a keyword guess of whether SQL reads, writes or both.</summary>
public static class SqlAccessGuess
{
    private static readonly HashSet<string> Writes = new(StringComparer.OrdinalIgnoreCase)
        { "insert", "update", "delete", "create", "drop", "alter", "merge", "truncate", "copy", "replace" };

    public static AssetAccess? Of(string sql)
    {
        var words = SqlTokenizer.Tokenize(sql).Where(t => t.Kind == SqlTokenKind.Word).Select(t => t.Text).ToList();
        var reads = words.Any(w => w.Equals("select", StringComparison.OrdinalIgnoreCase) || w.Equals("from", StringComparison.OrdinalIgnoreCase));
        var writes = words.Any(Writes.Contains);
        return (reads, writes) switch { (true, true) => AssetAccess.RW, (true, false) => AssetAccess.R, (false, true) => AssetAccess.W, _ => null };
    }
}
