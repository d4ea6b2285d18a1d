using System.Text.RegularExpressions;

namespace Windmill.Jobs.Core.Flows;

/// <summary>
/// What a flow expression needs from the run before it is evaluated: the step results it names
/// (<c>results.a</c>, <c>results["a"]</c>) and the variables and resources it fetches
/// (<c>variable("f/x/y")</c>, <c>resource("f/x/db")</c>), so only those are loaded.
/// </summary>
public static partial class FlowExpressions
{
    [GeneratedRegex("""\bresults\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:'([^']*)'|"([^"]*)")\s*\])""")]
    private static partial Regex NamedResult();

    [GeneratedRegex("""\bresults\b(?!\s*(?:\.\s*[A-Za-z_$]|\[\s*['"]))""")]
    private static partial Regex WholeResults();

    [GeneratedRegex("""\b(variable|resource)\s*\(\s*(?:'([^']*)'|"([^"]*)"|`([^`$]*)`)\s*\)""")]
    private static partial Regex Fetch();

    /// <summary>The step ids an expression reads through <c>results</c>.</summary>
    public static IEnumerable<string> ReferencedResults(string expr) =>
        NamedResult().Matches(expr).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)
            .Distinct();

    /// <summary>True when the expression uses <c>results</c> as a whole (e.g. <c>results[k]</c>): every result must be loaded.</summary>
    public static bool ReadsAllResults(string expr) => WholeResults().IsMatch(expr);

    /// <summary>The <c>variable(...)</c> and <c>resource(...)</c> paths an expression fetches.</summary>
    public static IEnumerable<(string Kind, string Path)> Fetches(string expr) =>
        Fetch().Matches(expr).Select(m => (m.Groups[1].Value,
            m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Value)).Distinct();
}
