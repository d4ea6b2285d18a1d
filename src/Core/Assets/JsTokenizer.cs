using System.Text;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// TypeScript/JavaScript tokens for asset detection: names, numbers, symbols, strings with escapes, template
/// literals (one token; <c>${…}</c> becomes <c>$1</c>, <c>$2</c>… in its value and makes it not constant) and
/// regular expression literals (told from division by the token before); comments dropped.
/// </summary>
public static class JsTokenizer
{
    public static List<CodeToken> Tokenize(string code)
    {
        var tokens = new List<CodeToken>();
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && At(code, i + 1, '/')) { while (i < code.Length && code[i] != '\n') i++; continue; }
            if (c == '/' && At(code, i + 1, '*'))
            {
                var close = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? code.Length : close + 2;
                continue;
            }
            if (c is '\'' or '"')
            {
                var (end, value) = QuotedString(code, i);
                tokens.Add(new CodeToken(CodeTokenKind.String, value));
                i = end;
            }
            else if (c == '`')
            {
                var (end, value, substitutions) = Template(code, i);
                tokens.Add(new CodeToken(CodeTokenKind.String, value, Constant: substitutions == 0));
                i = end;
            }
            else if (c == '/' && RegexMayStart(tokens))
            {
                i = RegexEnd(code, i);
                tokens.Add(new CodeToken(CodeTokenKind.Symbol, "/regex/"));
            }
            else if (char.IsLetter(c) || c is '_' or '$')
            {
                var start = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] is '_' or '$')) i++;
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
                var two = i + 1 < code.Length ? code.Substring(i, 2) : "";
                var symbol = two is "==" or "!=" or "<=" or ">=" or "=>" or "?." or "??" or "&&" or "||" ? two : c.ToString();
                tokens.Add(new CodeToken(CodeTokenKind.Symbol, symbol));
                i += symbol.Length;
            }
        }
        return tokens;
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static (int End, string Value) QuotedString(string code, int i)
    {
        var quote = code[i++];
        var value = new StringBuilder();
        while (i < code.Length && code[i] != quote && code[i] != '\n')
        {
            if (code[i] == '\\' && i + 1 < code.Length)
            {
                value.Append(code[i + 1] switch { 'n' => "\n", 't' => "\t", 'r' => "\r", '\n' => "", var other => other.ToString() });
                i += 2;
                continue;
            }
            value.Append(code[i++]);
        }
        return (Math.Min(i + 1, code.Length), value.ToString());
    }

    /// <summary>A template literal: its text with each <c>${…}</c> (nested braces, strings and templates skipped) as <c>$n</c>.</summary>
    private static (int End, string Value, int Substitutions) Template(string code, int i)
    {
        i++;
        var value = new StringBuilder();
        var n = 0;
        while (i < code.Length && code[i] != '`')
        {
            if (code[i] == '\\' && i + 1 < code.Length) { value.Append(code[i + 1]); i += 2; continue; }
            if (code[i] == '$' && At(code, i + 1, '{'))
            {
                value.Append('$').Append(++n);
                i = SubstitutionEnd(code, i + 2);
                continue;
            }
            value.Append(code[i++]);
        }
        return (Math.Min(i + 1, code.Length), value.ToString(), n);
    }

    private static int SubstitutionEnd(string code, int i)
    {
        var depth = 1;
        while (i < code.Length)
        {
            var c = code[i];
            if (c is '\'' or '"') { i = QuotedString(code, i).End; continue; }
            if (c == '`') { i = Template(code, i).End; continue; }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i + 1;
            i++;
        }
        return code.Length;
    }

    /// <summary>A slash starts a regular expression unless it follows something a division could follow.</summary>
    private static bool RegexMayStart(List<CodeToken> tokens)
    {
        if (tokens.Count == 0) return true;
        var last = tokens[^1];
        return last.Kind switch
        {
            CodeTokenKind.Name => last.Value is "return" or "typeof" or "case" or "do" or "else" or "in" or "of" or "new" or "delete" or "void" or "throw" or "yield" or "await",
            CodeTokenKind.Number or CodeTokenKind.String => false,
            _ => !(last.Is(")") || last.Is("]") || last.Is("}")),
        };
    }

    private static int RegexEnd(string code, int i)
    {
        i++;
        var inClass = false;
        while (i < code.Length && code[i] != '\n')
        {
            var c = code[i];
            if (c == '\\') { i += 2; continue; }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            else if (c == '/' && !inClass) { i++; break; }
            i++;
        }
        while (i < code.Length && char.IsLetter(code[i])) i++; // flags
        return i;
    }
}
