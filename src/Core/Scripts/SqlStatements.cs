using System.Text;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>One SQL statement and, in order, the script parameters (<c>$n</c>, 1-based) it uses, renumbered from <c>$1</c>.</summary>
public sealed record SqlStatement(string Text, IReadOnlyList<int> Parameters);

/// <summary>
/// Splits a SQL script into statements on top-level <c>;</c>, understanding quotes (<c>'..'</c>, <c>".."</c>),
/// dollar quotes (<c>$$..$$</c>, <c>$tag$..$tag$</c>) and comments, and renumbers each statement's
/// positional parameters from <c>$1</c> so it can be run on its own with bound values.
/// </summary>
public static class SqlStatements
{
    public static List<SqlStatement> Split(string sql)
    {
        var statements = new List<SqlStatement>();
        var current = new StringBuilder();
        var parameters = new List<int>();
        var meaningful = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && At(sql, i, "--"))
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                current.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && At(sql, i, "/*"))
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
                current.Append(sql, i, end - i);
                i = end;
            }
            else if (c is '\'' or '"')
            {
                var end = i + 1;
                while (end < sql.Length && !(sql[end] == c && !(end + 1 < sql.Length && sql[end + 1] == c))) end += sql[end] == c ? 2 : 1;
                end = Math.Min(end + 1, sql.Length);
                current.Append(sql, i, end - i);
                meaningful = true;
                i = end;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + tag.Length;
                current.Append(sql, i, end - i);
                meaningful = true;
                i = end;
            }
            else if (c == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
            {
                var end = i + 1;
                while (end < sql.Length && char.IsAsciiDigit(sql[end])) end++;
                var n = int.Parse(sql.AsSpan(i + 1, end - i - 1));
                var index = parameters.IndexOf(n);
                if (index < 0) { parameters.Add(n); index = parameters.Count - 1; }
                current.Append('$').Append(index + 1);
                meaningful = true;
                i = end;
            }
            else if (c == ';')
            {
                if (meaningful) statements.Add(new SqlStatement(current.ToString().Trim(), parameters));
                current.Clear();
                parameters = [];
                meaningful = false;
                i++;
            }
            else
            {
                if (!char.IsWhiteSpace(c)) meaningful = true;
                current.Append(c);
                i++;
            }
        }
        if (meaningful) statements.Add(new SqlStatement(current.ToString().Trim(), parameters));
        return statements;
    }

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;

    /// <summary>The dollar-quote opener at <paramref name="i"/> (<c>$$</c> or <c>$tag$</c>), or null.</summary>
    private static string? DollarTag(string s, int i)
    {
        var end = i + 1;
        while (end < s.Length && (char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')) end++;
        if (end >= s.Length || s[end] != '$') return null;
        var tag = s[i..(end + 1)];
        return tag.Length > 2 && char.IsAsciiDigit(tag[1]) ? null : tag;
    }
}
