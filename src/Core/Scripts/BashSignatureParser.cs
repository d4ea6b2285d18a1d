using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>
/// Bash arguments are positional; Windmill names them from assignments such as <c>name="$1"</c> or
/// <c>greeting="${2:-hello}"</c> (the default after <c>:-</c>). Every argument is a string.
/// </summary>
public static partial class BashSignatureParser
{
    [GeneratedRegex(@"^\s*(?:local\s+|declare\s+)?(\w+)=""?\$(?:(\d+)|\{(\d+)(?::-([^}]*))?\})""?\s*(?:#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Assignment();

    public static ScriptSignature Parse(string code)
    {
        var byPosition = new SortedDictionary<int, ScriptParameter>();
        foreach (Match m in Assignment().Matches(code))
        {
            var position = int.Parse(m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value) - 1;
            if (position < 0 || byPosition.ContainsKey(position)) continue;
            var hasDefault = m.Groups[4].Success;
            byPosition[position] = new ScriptParameter(m.Groups[1].Value, new JsonObject { ["type"] = "string" },
                hasDefault ? JsonValue.Create(m.Groups[4].Value) : null, hasDefault, position);
        }
        return new ScriptSignature(byPosition.Values.ToList());
    }
}
