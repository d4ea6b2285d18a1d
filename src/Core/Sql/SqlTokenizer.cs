namespace Windmill.Jobs.Core.Sql;

public enum SqlTokenKind
{
    Word,
    Number,
    String,
    QuotedIdentifier,
    Comment,
    Whitespace,
    Symbol,
}

/// <summary>A token and where it stands in the text. <see cref="Value"/> is the string's content (quotes removed, <c>''</c> undone).</summary>
public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, string Text, string Value)
{
    public bool IsWord(string word) => Kind == SqlTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
    public bool IsSymbol(char c) => Kind == SqlTokenKind.Symbol && Text.Length == 1 && Text[0] == c;
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.Comment;
}

/// <summary>
/// Splits SQL (PostgreSQL and DuckDB dialects) into tokens, so code that looks for literals (S3 URIs,
/// resource paths) never mistakes text in a comment or inside another string for one: single-quoted strings
/// with <c>''</c>, <c>E'…'</c> escapes, dollar-quoted strings, double-quoted identifiers, <c>--</c> and nested
/// <c>/* */</c> comments. An unterminated string or comment runs to the end of the text.
/// </summary>
public static class SqlTokenizer
{
    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>(sql.Length / 3);
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            SqlTokenKind kind;
            string? value = null;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++;
                kind = SqlTokenKind.Whitespace;
            }
            else if (c == '-' && At(sql, i + 1, '-'))
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                i = BlockCommentEnd(sql, i);
                kind = SqlTokenKind.Comment;
            }
            else if (c == '\'' || ((c is 'E' or 'e') && At(sql, i + 1, '\'')))
            {
                var escapes = c != '\'';
                (i, value) = QuotedEnd(sql, escapes ? i + 1 : i, '\'', escapes);
                kind = SqlTokenKind.String;
            }
            else if (c == '"')
            {
                (i, value) = QuotedEnd(sql, i, '"', backslashEscapes: false);
                kind = SqlTokenKind.QuotedIdentifier;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + tag.Length;
                value = sql[(i + tag.Length)..(close < 0 ? sql.Length : close)];
                i = end;
                kind = SqlTokenKind.String;
            }
            else if (char.IsDigit(c))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_')) i++;
                kind = SqlTokenKind.Number;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$')) i++;
                kind = SqlTokenKind.Word;
            }
            else
            {
                i++;
                kind = SqlTokenKind.Symbol;
            }
            // One-character tokens (symbols, single spaces) share cached strings: scripts have many of them.
            var text = i - start == 1 && sql[start] < 128 ? Ascii[sql[start]] : sql[start..i];
            tokens.Add(new SqlToken(kind, start, i - start, text, value ?? text));
        }
        return tokens;
    }

    private static readonly string[] Ascii = [.. Enumerable.Range(0, 128).Select(c => ((char)c).ToString())];

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static int BlockCommentEnd(string sql, int i)
    {
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1, '*')) { depth++; i += 2; }
            else if (sql[i] == '*' && At(sql, i + 1, '/')) { depth--; i += 2; if (depth == 0) return i; }
            else i++;
        }
        return sql.Length;
    }

    /// <summary>End of a quoted run starting at the opening quote, and its content with doubled quotes (and backslash escapes) undone.</summary>
    private static (int End, string Value) QuotedEnd(string sql, int i, char quote, bool backslashEscapes)
    {
        var value = new System.Text.StringBuilder();
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\' && i + 1 < sql.Length)
            {
                value.Append(sql[i + 1] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', var other => other });
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (At(sql, i + 1, quote)) { value.Append(quote); i += 2; continue; }
                return (i + 1, value.ToString());
            }
            value.Append(c);
            i++;
        }
        return (sql.Length, value.ToString());
    }

    /// <summary>A dollar-quote opener (<c>$$</c> or <c>$tag$</c>) at <paramref name="i"/>, or null for a parameter like <c>$1</c>.</summary>
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetter(sql[j]) || sql[j] == '_' || (j > i + 1 && char.IsDigit(sql[j])))) j++;
        return At(sql, j, '$') ? sql[i..(j + 1)] : null;
    }
}
