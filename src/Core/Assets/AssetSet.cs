namespace Windmill.Jobs.Core.Assets;

/// <summary>Collects detected assets and merges them as spec 9.3 does: one per (kind, path), sorted by path.</summary>
public sealed class AssetSet
{
    private readonly Dictionary<(AssetKind, string), AssetAccess?> _assets = [];

    public void Add(AssetKind kind, string path, AssetAccess? access)
    {
        if (path.Length == 0) return;
        _assets[(kind, path)] = _assets.TryGetValue((kind, path), out var known) ? AssetAccesses.Merge(known, access) : access;
    }

    public void Add(DetectedAsset asset) => Add(asset.Kind, asset.Path, asset.Access);

    public List<DetectedAsset> ToList() =>
        [.. _assets.Select(a => new DetectedAsset(a.Key.Item1, a.Key.Item2, a.Value)).OrderBy(a => a.Path, StringComparer.Ordinal).ThenBy(a => a.Kind)];

    public static List<DetectedAsset> Merge(IEnumerable<DetectedAsset> assets)
    {
        var set = new AssetSet();
        foreach (var a in assets) set.Add(a);
        return set.ToList();
    }
}
