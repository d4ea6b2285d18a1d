using System.Text;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Python tokens for asset detection: names, numbers, symbols and strings (prefixes r/b/u/f in any case and
/// combination, single and triple quotes, escapes); <c>#</c> comments dropped. An f-string is one token, not
/// constant, with nested quotes inside its <c>{}</c> skipped. Unterminated strings run to the end of the line
/// (or of the text for triple quotes).
/// </summary>
public static class PythonTokenizer
{
    public static List<CodeToken> Tokenize(string code)
    {
        var tokens = new List<CodeToken>();
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (char.IsWhiteSpace(c) || c == '\\') { i++; continue; }
            if (c == '#') { while (i < code.Length && code[i] != '\n') i++; continue; }
            if (StringStart(code, i) is { } prefixLength)
            {
                var prefix = code.Substring(i, prefixLength).ToLowerInvariant();
                var (end, value) = ReadString(code, i + prefixLength, raw: prefix.Contains('r'), formatted: prefix.Contains('f'));
                tokens.Add(new CodeToken(CodeTokenKind.String, value, Constant: !prefix.Contains('f')));
                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '_')) i++;
                tokens.Add(new CodeToken(CodeTokenKind.Name, code[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] is '_' or '.')) i++;
                tokens.Add(new CodeToken(CodeTokenKind.Number, code[start..i]));
            }
            else
            {
                // '==' must not read as an assignment.
                var two = i + 1 < code.Length ? code.Substring(i, 2) : "";
                var symbol = two is "==" or "!=" or "<=" or ">=" or ":=" or "->" or "**" or "//" ? two : c.ToString();
                tokens.Add(new CodeToken(CodeTokenKind.Symbol, symbol));
                i += symbol.Length;
            }
        }
        return tokens;
    }

    /// <summary>The length of the string prefix when a string literal starts at <paramref name="i"/>.</summary>
    private static int? StringStart(string code, int i)
    {
        var j = i;
        while (j < code.Length && j - i < 2 && "rRbBuUfF".Contains(code[j])) j++;
        if (j < code.Length && code[j] is '\'' or '"' && (j == i || i == 0 || !(char.IsLetterOrDigit(code[i - 1]) || code[i - 1] == '_'))) return j - i;
        return null;
    }

    /// <summary>Reads a string from its opening quote; returns where it ends and its content.</summary>
    internal static (int End, string Value) ReadString(string code, int i, bool raw, bool formatted)
    {
        var quote = code[i];
        var triple = i + 2 < code.Length && code[i + 1] == quote && code[i + 2] == quote;
        i += triple ? 3 : 1;
        var value = new StringBuilder();
        var braces = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (formatted && c == '{')
            {
                if (braces == 0 && i + 1 < code.Length && code[i + 1] == '{') { value.Append('{'); i += 2; continue; }
                braces++;
            }
            else if (formatted && c == '}' && braces > 0) braces--;
            else if (formatted && braces > 0 && c is '\'' or '"' && c != quote) { i = ReadString(code, i, raw: false, formatted: false).End; continue; }
            if (c == '\\' && i + 1 < code.Length)
            {
                if (raw) value.Append(c).Append(code[i + 1]);
                else value.Append(code[i + 1] switch { 'n' => "\n", 't' => "\t", 'r' => "\r", '0' => "\0", '\n' => "", var other => other.ToString() });
                i += 2;
                continue;
            }
            if (c == quote && (!triple || i + 2 < code.Length && code[i + 1] == quote && code[i + 2] == quote))
                return (i + (triple ? 3 : 1), value.ToString());
            if (c == '\n' && !triple) return (i, value.ToString());
            value.Append(c);
            i++;
        }
        return (code.Length, value.ToString());
    }
}
