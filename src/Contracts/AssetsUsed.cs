namespace Windmill.Jobs.Contracts;

/// <summary>
/// Runtime asset events (spec 9.5), several per message: jobs touched these assets. Workers and the API
/// send them to the <c>asset-events</c> queue; the API writes them to the store in batches.
/// </summary>
public sealed record AssetsUsed(IReadOnlyList<AssetUse> Uses);

/// <param name="Kind">An asset kind's store name (<c>s3object</c>, <c>resource</c>, ...).</param>
/// <param name="Access"><c>r</c>, <c>w</c>, <c>rw</c>, or null when not known.</param>
public sealed record AssetUse(string Workspace, string Kind, string Path, string? Access, Guid JobId, DateTime At);
