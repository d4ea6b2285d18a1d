namespace Windmill.Jobs.Core.Assets;

/// <summary>What an asset path may be: at most <see cref="MaxLength"/> characters, no control characters.</summary>
public static class AssetPathRules
{
    public const int MaxLength = 1024;

    /// <summary>Why the path is refused, or null when it is fine.</summary>
    public static string? Problem(string? path) =>
        string.IsNullOrEmpty(path) ? "is empty"
        : path.Length > MaxLength ? $"is {path.Length} characters long (at most {MaxLength})"
        : path.Any(char.IsControl) ? "contains control characters"
        : null;
}
