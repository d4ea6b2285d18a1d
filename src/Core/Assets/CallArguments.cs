namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// The arguments of a call in a token list, from the token after its <c>(</c> to the matching <c>)</c>:
/// positional ones in order, keyword ones (<c>name=value</c>) by name, each a range of tokens.
/// </summary>
public sealed class CallArguments
{
    public List<(int Start, int End)> Positional { get; } = [];
    public Dictionary<string, (int Start, int End)> Keywords { get; } = [];
    /// <summary>The index of the closing parenthesis (or the end of the tokens).</summary>
    public int Close { get; private init; }

    public static CallArguments Read(List<CodeToken> t, int open)
    {
        var args = new CallArguments { Close = Matching(t, open) };
        var start = open + 1;
        var depth = 0;
        for (var i = open + 1; i <= args.Close; i++)
        {
            var atEnd = i == args.Close;
            if (!atEnd && (t[i].Is("(") || t[i].Is("[") || t[i].Is("{"))) depth++;
            else if (!atEnd && (t[i].Is(")") || t[i].Is("]") || t[i].Is("}"))) depth--;
            else if (atEnd || depth == 0 && t[i].Is(","))
            {
                if (i > start)
                {
                    if (i - start >= 2 && t[start].Kind == CodeTokenKind.Name && t[start + 1].Is("=")) args.Keywords[t[start].Value] = (start + 2, i);
                    else args.Positional.Add((start, i));
                }
                start = i + 1;
            }
        }
        return args;
    }

    /// <summary>The argument named <paramref name="keyword"/>, else the one at <paramref name="position"/>, when given.</summary>
    public (int Start, int End)? Get(int position, string? keyword) =>
        keyword is not null && Keywords.TryGetValue(keyword, out var k) ? k : position < Positional.Count ? Positional[position] : null;

    /// <summary>The argument's text when it is only constant strings (Python joins adjacent ones); null otherwise.</summary>
    public static string? ConstantString(List<CodeToken> t, (int Start, int End)? range)
    {
        if (range is not { } r || r.End <= r.Start) return null;
        var parts = new List<string>();
        for (var i = r.Start; i < r.End; i++)
        {
            if (!t[i].IsConstantString) return null;
            parts.Add(t[i].Value);
        }
        return string.Concat(parts);
    }

    public static int Matching(List<CodeToken> t, int open)
    {
        var depth = 0;
        for (var i = open; i < t.Count; i++)
        {
            if (t[i].Is("(") || t[i].Is("[") || t[i].Is("{")) depth++;
            else if (t[i].Is(")") || t[i].Is("]") || t[i].Is("}")) { depth--; if (depth == 0) return i; }
        }
        return t.Count;
    }
}
