namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// The asset URI syntax of spec 9.2: a prefix names the kind, the rest is the path
/// (<c>s3://warehouse/a.parquet</c> → s3object <c>warehouse/a.parquet</c>; <c>s3:///a.csv</c> → <c>/a.csv</c>,
/// the primary storage). With <c>defaultSyntax</c> (SQL <c>ATTACH</c> targets) the bare words
/// <c>ducklake</c> and <c>datatable</c> mean the one named <c>main</c>.
/// </summary>
public static class AssetUri
{
    private static readonly (string Prefix, AssetKind Kind)[] Prefixes =
    [
        ("s3://", AssetKind.S3Object), ("res://", AssetKind.Resource), ("$res:", AssetKind.Resource),
        ("ducklake://", AssetKind.Ducklake), ("datatable://", AssetKind.Datatable), ("volume://", AssetKind.Volume),
    ];

    public static bool TryParse(string text, out AssetKind kind, out string path, bool defaultSyntax = false)
    {
        foreach (var (prefix, k) in Prefixes)
            if (text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length)
            {
                (kind, path) = (k, text[prefix.Length..]);
                return true;
            }
        if (defaultSyntax && text is "ducklake" or "datatable")
        {
            (kind, path) = (text == "ducklake" ? AssetKind.Ducklake : AssetKind.Datatable, "main");
            return true;
        }
        (kind, path) = (default, "");
        return false;
    }

    /// <summary>An object's asset path: <c>storage/key</c>, the primary storage being empty (<c>/key</c>), as <c>s3://storage/key</c> parses.</summary>
    public static string S3Path(string? storage, string key) =>
        (string.IsNullOrEmpty(storage) || storage == Storage.LargeFileStorage.DefaultName ? "" : storage) + "/" + key;

    /// <summary>A call argument of a known helper: a URI is stripped to its path, a bare path is kept.</summary>
    public static string PathOf(string argument) => TryParse(argument, out _, out var path) ? path : argument;
}
