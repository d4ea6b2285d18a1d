namespace Windmill.Jobs.Store.Assets;

/// <summary>Who uses an asset: a script or flow (by path), or a job (by id). Kinds are the store's names: <c>script</c>, <c>flow</c>, <c>job</c>.</summary>
public sealed record AssetUsageKey(string Kind, string Path);

/// <summary>One stored usage of one asset. <see cref="RunnablePath"/> and <see cref="JobKind"/> are the job's, for job usages.</summary>
public sealed record AssetUsageRow(
    string Path, string Kind, string UsageKind, string UsagePath, string? Access, string? Columns, DateTime CreatedAt,
    string? RunnablePath = null, string? JobKind = null);

/// <summary>An asset of a listing page, with its position for keyset paging.</summary>
public sealed record AssetHead(string Path, string Kind, DateTime CreatedAt, long Id);

/// <summary>A runtime asset event (spec 9.5): a job touched an asset.</summary>
public sealed record JobAssetUse(string Workspace, string Kind, string Path, string? Access, Guid JobId, DateTime At);
