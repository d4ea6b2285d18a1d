using Amazon.S3;
using Npgsql;
using Windmill.Jobs.Core.Resources;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Api.Services;

/// <summary>A storage opened for one caller: its client, and what the caller may do beyond reading and writing known keys.</summary>
public sealed class OpenedStorage(string name, string resourcePath, S3Settings settings, IAmazonS3 client, bool mayBrowse) : IDisposable
{
    public string Name { get; } = name;
    public string ResourcePath { get; } = resourcePath;
    public S3Settings Settings { get; } = settings;
    public IAmazonS3 Client { get; } = client;
    public string Bucket => Settings.Bucket;

    /// <summary>May list the bucket and see the resource's details (credentials): it is public, or the caller can read the resource.</summary>
    public bool MayBrowse { get; } = mayBrowse;

    /// <summary>Runs an S3 call; a missing key or bucket becomes a 404 naming it, other S3 errors a 500 with S3's message.</summary>
    public async Task<T> CallAsync<T>(string key, Func<Task<T>> call)
    {
        try { return await call(); }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw WindmillError.NotFound(e.ErrorCode == "NoSuchBucket" ? $"bucket {Bucket} of storage {Name} not found" : $"file {key} not found in storage {Name}");
        }
        catch (AmazonS3Exception e)
        {
            throw WindmillError.Internal($"storage {Name}: {e.ErrorCode}: {e.Message}");
        }
    }

    public void RequireBrowse(string what)
    {
        if (!MayBrowse)
            throw WindmillError.PermissionDenied($"{what} needs read access to the storage resource {ResourcePath} (it is not public_resource)");
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>
/// Opens a workspace storage for a caller (spec 10.2). With <c>public_resource</c> every workspace user (and
/// job) uses it through the API whatever the resource's own permissions: the resource is read with the
/// workspace's authority. Without it, a caller who cannot read the resource may still read and write objects
/// whose keys they know, but may not list the bucket nor see the resource's details.
/// </summary>
public sealed class WorkspaceStorage(NpgsqlDataSource db, SecretReveal reveal)
{
    /// <param name="resourcePath">An s3 resource to use instead of the workspace storage (<c>s3_resource_path</c>); the caller must be able to read it.</param>
    public async Task<OpenedStorage> OpenAsync(Authed who, WindmillDb wdb, string? storage, CancellationToken ct, string? resourcePath = null)
    {
        StorageLink link;
        Store.Model.Resource? resource = null;
        if (!string.IsNullOrEmpty(resourcePath))
        {
            resourcePath = resourcePath.StartsWith("$res:") ? resourcePath[5..] : resourcePath;
            resource = Access.RequireFound(
                await wdb.Resources.AsNoTracking().FirstOrDefaultAsync(r => r.WorkspaceId == who.Workspace && r.Path == resourcePath, ct),
                "Resource", resourcePath);
            Access.RequireRead(who, "Resource", resourcePath, resource.ExtraPerms);
            link = new StorageLink(resourcePath, PublicResource: false);
        }
        else
        {
            var json = await wdb.WorkspaceSettings.AsNoTracking().Where(s => s.WorkspaceId == who.Workspace).Select(s => s.LargeFileStorage)
                .FirstOrDefaultAsync(ct);
            link = LargeFileStorage.Parse(json is null ? null : System.Text.Json.Nodes.JsonNode.Parse(json)).Resolve(storage);
        }
        resource ??= await wdb.Resources.AsNoTracking().FirstOrDefaultAsync(r => r.WorkspaceId == who.Workspace && r.Path == link.ResourcePath, ct)
                     ?? throw WindmillError.NotFound($"storage resource {link.ResourcePath} not found");
        var callerMayRead = PathPermissions.CanRead(who.Identity, resource.Path, ExtraPerms.FromJson(resource.ExtraPerms));
        // The workspace reads the resource on the caller's behalf; what the caller may then do is decided above.
        var reader = callerMayRead ? who : WorkspaceAuthority(who);
        var source = new StoreReferenceSource(reader, db, reveal);
        var value = await ResourceInterpolator.InterpolateAsync(await source.GetResourceValueAsync(link.ResourcePath, ct), source, link.ResourcePath, ct);
        var settings = S3Settings.From(value, link.ResourcePath);
        var name = string.IsNullOrEmpty(storage) ? LargeFileStorage.DefaultName : storage;
        return new OpenedStorage(name, link.ResourcePath, settings, Runtime.S3Clients.Create(settings), link.PublicResource || callerMayRead);
    }

    private static Authed WorkspaceAuthority(Authed who) => new()
    {
        Principal = who.Principal,
        Identity = who.Identity with { IsAdmin = true, IsOperator = false },
    };
}
