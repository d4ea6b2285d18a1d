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
        foreach (var k in Enum.GetValues<AssetKind>())
            if (k.Name() == name) { kind = k; return true; }
        kind = default;
        return false;
    }
}
