using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Core.Sql;

namespace Windmill.Jobs.Core.Assets;

/// <summary>What static detection found in one script: its assets, and a warning when the code could not be read whole.</summary>
public sealed record AssetDetection(List<DetectedAsset> Assets, string? Warning);

/// <summary>Static asset detection at deploy time (spec 9.4), by language. It never fails a deploy: code it cannot read whole still gives the assets found, with a warning.</summary>
public static class AssetDetector
{
    public static AssetDetection Detect(string language, string code)
    {
        var assets = language switch
        {
            ScriptLanguage.DuckDb or ScriptLanguage.Postgresql => SqlAssetParser.Parse(code),
            ScriptLanguage.Python3 => PythonAssetParser.Parse(code),
            ScriptLanguage.Bun => TsAssetParser.Parse(code),
            ScriptLanguage.Bash => BashAssetParser.Parse(code),
            _ => [],
        };
        var balanced = language switch
        {
            ScriptLanguage.DuckDb or ScriptLanguage.Postgresql => Balanced(SqlTokenizer.Tokenize(code).Where(t => t.Kind == SqlTokenKind.Symbol).Select(t => t.Text)),
            ScriptLanguage.Python3 => Balanced(PythonTokenizer.Tokenize(code).Where(t => t.Kind == CodeTokenKind.Symbol).Select(t => t.Value)),
            ScriptLanguage.Bun => Balanced(JsTokenizer.Tokenize(code).Where(t => t.Kind == CodeTokenKind.Symbol).Select(t => t.Value)),
            _ => true,
        };
        return new AssetDetection(assets, balanced ? null
            : $"the {language} code could not be parsed whole (unbalanced brackets); assets were detected on a best-effort basis");
    }

    private static bool Balanced(IEnumerable<string> symbols)
    {
        var stack = new Stack<char>();
        foreach (var s in symbols)
            switch (s)
            {
                case "(" or "[" or "{": stack.Push(s[0]); break;
                case ")": if (stack.Count == 0 || stack.Pop() != '(') return false; break;
                case "]": if (stack.Count == 0 || stack.Pop() != '[') return false; break;
                case "}": if (stack.Count == 0 || stack.Pop() != '{') return false; break;
            }
        return stack.Count == 0;
    }
}
