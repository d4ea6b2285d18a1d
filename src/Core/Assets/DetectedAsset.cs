namespace Windmill.Jobs.Core.Assets;

/// <summary>An asset a runnable or job uses, and how (null: not known).</summary>
public sealed record DetectedAsset(AssetKind Kind, string Path, AssetAccess? Access);
