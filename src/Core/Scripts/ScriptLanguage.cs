using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Scripts;

/// <summary>The languages a worker runs, with Windmill's names and default tags.</summary>
public static class ScriptLanguage
{
    public const string Bash = "bash";
    public const string Python3 = "python3";
    public const string Bun = "bun";
    public const string Postgresql = "postgresql";
    public const string DuckDb = "duckdb";

    public static readonly IReadOnlyList<string> All = [Bash, Python3, Bun, Postgresql, DuckDb];

    public static string Check(string? language) =>
        language is not null && All.Contains(language)
            ? language
            : throw WindmillError.BadRequest($"unknown language '{language}': use one of {string.Join(", ", All)}");

    /// <summary>Windmill's default tag for a language (spec 6.3): the language name itself.</summary>
    public static string DefaultTag(string language) => language;
}
