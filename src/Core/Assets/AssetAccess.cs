namespace Windmill.Jobs.Core.Assets;

/// <summary>How a runnable or job uses an asset (spec 9.1): read, write or both; null (elsewhere) = not known.</summary>
public enum AssetAccess
{
    R,
    W,
    RW,
}

public static class AssetAccesses
{
    public static string Name(this AssetAccess access) => access.ToString().ToLowerInvariant();

    public static AssetAccess? Parse(string? name) => name switch
    {
        "r" => AssetAccess.R,
        "w" => AssetAccess.W,
        "rw" => AssetAccess.RW,
        _ => null,
    };

    /// <summary>The merge rule of spec 9.3: unknown wins, then read + write is read-write.</summary>
    public static AssetAccess? Merge(AssetAccess? a, AssetAccess? b) =>
        a is null || b is null ? null : a == b ? a : AssetAccess.RW;
}
