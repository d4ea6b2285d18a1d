using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Object storage routes (spec 10.4) over the workspace's S3 storages: upload (streamed in parts, so a
/// large file is never held whole and an interrupted upload leaves no object), download (streamed),
/// listing, metadata, delete, move, connection test and resource info. <c>storage</c> picks a secondary
/// storage; <c>s3_resource_path</c> names an s3 resource the caller can read instead.
/// </summary>
public static class JobHelpersApi
{
    private const int PartSize = 8 * 1024 * 1024;

    public sealed record ResourcePathBody(string? S3ResourcePath);

    public static RouteGroupBuilder MapJobHelpersApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/job_helpers");
        g.MapPost("/upload_s3_file", Upload).WithMetadata(new UnlimitedRequestBody());
        g.MapGet("/download_s3_file", Download);
        g.MapGet("/list_stored_files", List);
        g.MapGet("/load_file_metadata", Metadata);
        g.MapDelete("/delete_s3_file", async (Authed who, WindmillDb db, WorkspaceStorage storages, AssetEvents assets, string? file_key, string? storage,
            CancellationToken ct) =>
        {
            using var s = await storages.OpenAsync(who, db, storage, ct);
            var key = RequireKey(file_key, "file_key");
            await s.CallAsync(key, () => s.Client.DeleteObjectAsync(s.Bucket, key, ct));
            assets.UsedObject(who, storage, null, key, AssetAccess.W);
            return Replies.Text($"file {key} deleted");
        });
        g.MapGet("/move_s3_file", async (Authed who, WindmillDb db, WorkspaceStorage storages, AssetEvents assets, string? src_file_key,
            string? dest_file_key, string? storage, CancellationToken ct) =>
        {
            using var s = await storages.OpenAsync(who, db, storage, ct);
            var (from, to) = (RequireKey(src_file_key, "src_file_key"), RequireKey(dest_file_key, "dest_file_key"));
            // Copied through the API in parts rather than with CopyObject, whose copy-source header S3-compatible
            // servers read differently (s3rver rejects the SDK's leading slash).
            using (var source = await s.CallAsync(from, () => s.Client.GetObjectAsync(s.Bucket, from, ct)))
                await UploadStreamAsync(s, to, source.ResponseStream, ct);
            await s.CallAsync(from, () => s.Client.DeleteObjectAsync(s.Bucket, from, ct));
            assets.UsedObject(who, storage, null, from, AssetAccess.RW); // read, then removed
            assets.UsedObject(who, storage, null, to, AssetAccess.W);
            return Replies.Text($"file {from} moved to {to}");
        });
        g.MapGet("/test_connection", async (Authed who, WindmillDb db, WorkspaceStorage storages, string? storage, CancellationToken ct) =>
        {
            using var s = await storages.OpenAsync(who, db, storage, ct);
            await s.CallAsync("", () => s.Client.ListObjectsAsync(new ListObjectsRequest { BucketName = s.Bucket, MaxKeys = 1 }, ct));
            return Results.Json("Connection successful");
        });
        g.MapPost("/v2/s3_resource_info", async (Authed who, WindmillDb db, WorkspaceStorage storages, HttpRequest req, string? storage,
            CancellationToken ct) =>
        {
            var body = req.ContentLength is > 0 ? await JsonBodies.ReadAnyAsync(req, ct) as JsonObject : null;
            using var s = await storages.OpenAsync(who, db, storage, ct, body?["s3_resource_path"]?.GetValue<string>());
            s.RequireBrowse("s3_resource_info");
            return Results.Json(new JsonObject
            {
                ["bucket"] = s.Settings.Bucket, ["region"] = s.Settings.Region, ["endPoint"] = s.Settings.EndPoint, ["useSSL"] = s.Settings.UseSsl,
                ["accessKey"] = s.Settings.AccessKey, ["secretKey"] = s.Settings.SecretKey, ["pathStyle"] = s.Settings.PathStyle,
            });
        });
        g.MapPost("/duckdb_connection_settings", (Authed _, HttpRequest req, CancellationToken ct) =>
            FromResourceAsync(req, s => Results.Json(new { connection_settings_str = ClientSettings.DuckDb(s) }), ct));
        g.MapPost("/polars_connection_settings", (Authed _, HttpRequest req, CancellationToken ct) =>
            FromResourceAsync(req, s => Results.Json(ClientSettings.Polars(s)), ct));
        g.MapPost("/v2/duckdb_connection_settings", (Authed who, WindmillDb db, WorkspaceStorage storages, HttpRequest req, string? storage,
            CancellationToken ct) => FromStorageAsync(who, db, storages, req, storage, s => Results.Json(new { connection_settings_str = ClientSettings.DuckDb(s) }), ct));
        g.MapPost("/v2/polars_connection_settings", (Authed who, WindmillDb db, WorkspaceStorage storages, HttpRequest req, string? storage,
            CancellationToken ct) => FromStorageAsync(who, db, storages, req, storage, s => Results.Json(ClientSettings.Polars(s)), ct));
        return w;
    }

    /// <summary>v1 helpers: the caller sends the s3 resource itself (<c>{"s3_resource": {...}}</c>).</summary>
    private static async Task<IResult> FromResourceAsync(HttpRequest req, Func<Core.Storage.S3Settings, IResult> answer, CancellationToken ct)
    {
        var body = await JsonBodies.ReadAnyAsync(req, ct) as JsonObject;
        return answer(Core.Storage.S3Settings.From(body?["s3_resource"], "s3_resource"));
    }

    /// <summary>v2 helpers: a storage of the workspace (or <c>s3_resource_path</c>), for callers allowed to see its credentials.</summary>
    private static async Task<IResult> FromStorageAsync(Authed who, WindmillDb db, WorkspaceStorage storages, HttpRequest req, string? storage,
        Func<Core.Storage.S3Settings, IResult> answer, CancellationToken ct)
    {
        var body = req.ContentLength is > 0 ? await JsonBodies.ReadAnyAsync(req, ct) as JsonObject : null;
        using var s = await storages.OpenAsync(who, db, storage, ct, body?["s3_resource_path"]?.GetValue<string>());
        s.RequireBrowse("connection settings");
        return answer(s.Settings);
    }

    private static string RequireKey(string? key, string name) =>
        string.IsNullOrWhiteSpace(key) ? throw WindmillError.BadRequest($"{name} is required") : key;

    private static async Task<IResult> Upload(Authed who, WindmillDb db, WorkspaceStorage storages, AssetEvents assets, HttpRequest req,
        string? file_key, string? file_extension, string? storage, string? s3_resource_path, CancellationToken ct)
    {
        using var s = await storages.OpenAsync(who, db, storage, ct, s3_resource_path);
        var key = string.IsNullOrEmpty(file_key)
            ? $"windmill_uploads/{Guid.NewGuid():N}" + (string.IsNullOrEmpty(file_extension) ? "" : "." + file_extension.TrimStart('.'))
            : file_key;
        await UploadStreamAsync(s, key, req.Body, ct);
        assets.UsedObject(who, storage, s3_resource_path, key, AssetAccess.W);
        return Results.Json(new { file_key = key });
    }

    /// <summary>
    /// One part in memory at a time: a body that fits one part is one PUT; a larger one is a multipart upload,
    /// aborted if the body breaks off, so a half-sent file never becomes an object.
    /// </summary>
    public static async Task UploadStreamAsync(OpenedStorage s, string key, Stream body, CancellationToken ct)
    {
        var buffer = new byte[PartSize];
        var first = await FillAsync(body, buffer, ct);
        if (first < PartSize)
        {
            await s.CallAsync(key, () => s.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = s.Bucket, Key = key, InputStream = new MemoryStream(buffer, 0, first), ContentType = "application/octet-stream",
            }, ct));
            return;
        }
        var upload = await s.CallAsync(key, () => s.Client.InitiateMultipartUploadAsync(s.Bucket, key, ct));
        var parts = new List<PartETag>();
        try
        {
            var length = first;
            for (var number = 1; length > 0; number++)
            {
                var part = await s.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = s.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number,
                    InputStream = new MemoryStream(buffer, 0, length), PartSize = length,
                }, ct);
                parts.Add(new PartETag(number, part.ETag));
                length = await FillAsync(body, buffer, ct);
            }
            await s.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = s.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
            }, ct);
        }
        catch
        {
            await s.Client.AbortMultipartUploadAsync(s.Bucket, key, upload.UploadId, CancellationToken.None);
            throw;
        }
    }

    private static async Task<int> FillAsync(Stream body, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    private static async Task Download(Authed who, WindmillDb db, WorkspaceStorage storages, AssetEvents assets, HttpContext http, string? file_key,
        string? storage, string? s3_resource_path, CancellationToken ct)
    {
        using var s = await storages.OpenAsync(who, db, storage, ct, s3_resource_path);
        var key = RequireKey(file_key, "file_key");
        using var obj = await s.CallAsync(key, () => s.Client.GetObjectAsync(s.Bucket, key, ct));
        assets.UsedObject(who, storage, s3_resource_path, key, AssetAccess.R);
        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = obj.ContentLength;
        await obj.ResponseStream.CopyToAsync(http.Response.Body, ct);
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, WorkspaceStorage storages, int? max_keys, string? marker, string? prefix,
        string? storage, CancellationToken ct)
    {
        using var s = await storages.OpenAsync(who, db, storage, ct);
        s.RequireBrowse("listing the bucket");
        var page = await s.CallAsync("", () => s.Client.ListObjectsAsync(new ListObjectsRequest
        {
            BucketName = s.Bucket, Marker = marker, Prefix = prefix, MaxKeys = Math.Clamp(max_keys ?? 1000, 1, 1000),
        }, ct));
        var objects = page.S3Objects ?? [];
        var next = page.NextMarker ?? (page.IsTruncated == true && objects.Count > 0 ? objects[^1].Key : null);
        return Results.Json(new JsonObject
        {
            ["windmill_large_files"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject { ["s3"] = o.Key }).ToArray()),
            ["next_marker"] = next,
            ["restricted_access"] = false,
        });
    }

    private static async Task<IResult> Metadata(Authed who, WindmillDb db, WorkspaceStorage storages, string? file_key, string? storage, CancellationToken ct)
    {
        using var s = await storages.OpenAsync(who, db, storage, ct);
        var key = RequireKey(file_key, "file_key");
        var meta = await s.CallAsync(key, () => s.Client.GetObjectMetadataAsync(s.Bucket, key, ct));
        return Results.Json(new JsonObject
        {
            ["mime_type"] = meta.Headers.ContentType,
            ["size_in_bytes"] = meta.ContentLength,
            ["last_modified"] = meta.LastModified,
            ["expires"] = meta.ExpiresString,
            ["version_id"] = meta.VersionId,
        });
    }
}
