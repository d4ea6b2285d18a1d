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
        List<DetectedAsset> assets;
        var balanced = true;
        switch (language)
        {
            case ScriptLanguage.DuckDb or ScriptLanguage.Postgresql:
                var sql = SqlTokenizer.Tokenize(code);
                assets = SqlAssetParser.Parse(sql);
                balanced = Balanced(sql.Where(t => t.Kind == SqlTokenKind.Symbol).Select(t => t.Text));
                break;
            case ScriptLanguage.Python3:
                var py = PythonTokenizer.Tokenize(code);
                assets = PythonAssetParser.Parse(py);
                balanced = Balanced(py.Where(t => t.Kind == CodeTokenKind.Symbol).Select(t => t.Value));
                break;
            case ScriptLanguage.Bun:
                var ts = JsTokenizer.Tokenize(code);
                assets = TsAssetParser.Parse(ts);
                balanced = Balanced(ts.Where(t => t.Kind == CodeTokenKind.Symbol).Select(t => t.Value));
                break;
            case ScriptLanguage.Bash:
                assets = BashAssetParser.Parse(code);
                break;
            default:
                assets = [];
                break;
        }
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
