using System.Text;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// Assets of bash scripts: bash has no client helpers, so only the words and quoted strings that parse as
/// asset URIs count, with unknown access (spec 9.4's rule for other literals). <c>#</c> comments are skipped;
/// a double-quoted string or word with a <c>$</c> expansion is computed, so it does not count.
/// </summary>
public static class BashAssetParser
{
    public static List<DetectedAsset> Parse(string code)
    {
        var assets = new AssetSet();
        foreach (var word in Words(code))
            if (AssetUri.TryParse(word, out var kind, out var path)) assets.Add(kind, path, null);
        return assets.ToList();
    }

    /// <summary>The constant words of the script, quotes removed.</summary>
    private static IEnumerable<string> Words(string code)
    {
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (char.IsWhiteSpace(c) || c is ';' or '|' or '&' or '(' or ')' or '<' or '>' or '=') { i++; continue; }
            if (c == '#') { while (i < code.Length && code[i] != '\n') i++; continue; }
            var word = new StringBuilder();
            var constant = true;
            while (i < code.Length && !char.IsWhiteSpace(code[i]) && code[i] is not (';' or '|' or '&' or '(' or ')' or '<' or '>'))
            {
                var ch = code[i];
                if (ch == '\'')
                {
                    var close = code.IndexOf('\'', i + 1);
                    close = close < 0 ? code.Length : close;
                    word.Append(code, i + 1, close - i - 1);
                    i = Math.Min(close + 1, code.Length);
                }
                else if (ch == '"')
                {
                    i++;
                    while (i < code.Length && code[i] != '"')
                    {
                        if (code[i] == '\\' && i + 1 < code.Length) { word.Append(code[i + 1]); i += 2; continue; }
                        if (code[i] is '$' or '`') constant = false;
                        word.Append(code[i++]);
                    }
                    i++;
                }
                else if (ch == '=' && word.Length > 0 && constant && !word.ToString().Contains("://"))
                {
                    word.Clear(); // VAR=value: the value is the word
                    i++;
                }
                else
                {
                    if (ch is '$' or '`') constant = false;
                    if (ch == '\\' && i + 1 < code.Length) { word.Append(code[i + 1]); i += 2; continue; }
                    word.Append(ch);
                    i++;
                }
            }
            if (constant && word.Length > 0) yield return word.ToString();
        }
    }
}
