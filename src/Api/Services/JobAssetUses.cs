using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Api.Services;

/// <summary>Runtime asset events of the API (spec 9.5): what a job reads and writes through it with its token.</summary>
public static class JobAssetUses
{
    /// <summary>Records the use when the caller is a job; other callers are not usages.</summary>
    public static void Used(this AssetEvents events, Authed who, AssetKind kind, string path, AssetAccess? access)
    {
        if (who.Principal.Job is { } job) events.Record(who.Workspace, kind, path, access, job.JobId);
    }

    /// <summary>An object of a workspace storage (not one reached through <c>s3_resource_path</c>, which has no asset path).</summary>
    public static void UsedObject(this AssetEvents events, Authed who, string? storage, string? s3ResourcePath, string key, AssetAccess access)
    {
        if (string.IsNullOrEmpty(s3ResourcePath)) events.Used(who, AssetKind.S3Object, AssetUri.S3Path(storage, key), access);
    }
}
