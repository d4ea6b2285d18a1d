namespace Windmill.Jobs.Core.Assets;

/// <summary>What an asset is (spec 9.1); the wire and store names are the lower-case names.</summary>
public enum AssetKind
{
    S3Object,
    Resource,
    Ducklake,
    Datatable,
    Volume,
}

public static class AssetKinds
{
    public static string Name(this AssetKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParse(string? name, out AssetKind kind)
    {
        kind = default;
        return name is not null && name.All(char.IsAsciiLetterLower) && Enum.TryParse(name, ignoreCase: true, out kind);
    }
}
