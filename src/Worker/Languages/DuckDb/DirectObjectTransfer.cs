using System.Buffers;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Windmill.Jobs.Core.Storage;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages.DuckDb;

/// <summary>
/// Transfers straight between the worker and the storage, for a job allowed to see the storage's
/// credentials (it could ask <c>v2/s3_resource_info</c> itself): no hop through the API, a large object is
/// read as parallel ranged GETs pinned to the ETag its HEAD returned (so a concurrent overwrite fails the
/// read instead of mixing two versions) and written as a parallel multipart upload. Reads and writes go
/// through the worker's <see cref="S3ObjectCache"/>.
/// </summary>
public sealed class DirectObjectTransfer(IAmazonS3 client, S3Settings settings, S3ObjectCache cache, int concurrency) : IObjectTransfer, IDisposable
{
    private const long MinPart = 8L << 20, MaxPart = 64L << 20, SinglePutLimit = 16L << 20;

    public async Task DownloadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        var head = await CallAsync(uri, "read", () => client.GetObjectMetadataAsync(settings.Bucket, uri.Key, ct));
        var version = new ObjectVersion(settings.ServiceUrl, settings.Bucket, uri.Key, head.ContentLength, head.ETag);
        if (cache.TryLinkTo(version, local)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        var target = cache.Fits(version.Size) ? cache.TemporaryPath() : local;
        try
        {
            await FetchAsync(uri, version, target, ct);
            if (target != local) cache.Commit(target, version, local);
        }
        finally
        {
            if (target != local) File.Delete(target);
        }
    }

    /// <summary>Parts of about size/concurrency bytes (8 to 64 MiB), fetched at once and written in place.</summary>
    private async Task FetchAsync(S3Uri uri, ObjectVersion version, string target, CancellationToken ct)
    {
        var partSize = Math.Clamp((version.Size + concurrency - 1) / Math.Max(concurrency, 1), MinPart, MaxPart);
        var parts = new List<(long Start, long End)>();
        for (long start = 0; start < version.Size; start += partSize) parts.Add((start, Math.Min(start + partSize, version.Size) - 1));
        using var file = File.OpenHandle(target, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.Asynchronous, version.Size);
        await Parallel.ForEachAsync(parts, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (part, token) =>
        {
            var request = new GetObjectRequest { BucketName = settings.Bucket, Key = uri.Key, EtagToMatch = version.ETag };
            if (parts.Count > 1) request.ByteRange = new ByteRange(part.Start, part.End);
            using var response = await CallAsync(uri, "read", () => client.GetObjectAsync(request, token));
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                var offset = part.Start;
                int n;
                while ((n = await response.ResponseStream.ReadAsync(buffer, token)) > 0)
                {
                    await RandomAccess.WriteAsync(file, buffer.AsMemory(0, n), offset, token);
                    offset += n;
                }
                if (offset != part.End + 1) throw new JobFailure($"cannot read {uri}: the storage sent {offset - part.Start} of {part.End + 1 - part.Start} bytes", "S3Error");
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        });
    }

    public async Task UploadAsync(S3Uri uri, string local, CancellationToken ct)
    {
        var size = new FileInfo(local).Length;
        var etag = size <= SinglePutLimit
            ? (await CallAsync(uri, "write", () => client.PutObjectAsync(new PutObjectRequest { BucketName = settings.Bucket, Key = uri.Key, FilePath = local }, ct))).ETag
            : await MultipartUploadAsync(uri, local, size, ct);
        cache.Keep(local, new ObjectVersion(settings.ServiceUrl, settings.Bucket, uri.Key, size, etag));
    }

    /// <summary>Parts of 16 MiB or more (S3 allows 10,000), sent at once; any failure aborts the upload so no partial object appears.</summary>
    private async Task<string> MultipartUploadAsync(S3Uri uri, string local, long size, CancellationToken ct)
    {
        var partSize = Math.Max(SinglePutLimit, (size + 9_999) / 10_000);
        var upload = await CallAsync(uri, "write", () => client.InitiateMultipartUploadAsync(settings.Bucket, uri.Key, ct));
        try
        {
            var count = (int)((size + partSize - 1) / partSize);
            var etags = new PartETag[count];
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
            {
                var response = await CallAsync(uri, "write", () => client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = settings.Bucket, Key = uri.Key, UploadId = upload.UploadId, PartNumber = i + 1,
                    FilePath = local, FilePosition = i * partSize, PartSize = Math.Min(partSize, size - i * partSize),
                }, token));
                etags[i] = new PartETag(i + 1, response.ETag);
            });
            var done = await CallAsync(uri, "write", () => client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = settings.Bucket, Key = uri.Key, UploadId = upload.UploadId, PartETags = [.. etags],
            }, ct));
            return done.ETag;
        }
        catch
        {
            await client.AbortMultipartUploadAsync(settings.Bucket, uri.Key, upload.UploadId, CancellationToken.None);
            throw;
        }
    }

    public async Task<List<string>> ListAsync(S3Uri glob, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await CallAsync(glob, "list", () => client.ListObjectsV2Async(request, ct));
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
        return keys;
    }

    /// <summary>S3 errors as job failures naming the object, in the API's words; never the credentials.</summary>
    private async Task<T> CallAsync<T>(S3Uri uri, string action, Func<Task<T>> call)
    {
        try { return await call(); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new JobFailure(e.ErrorCode == "NoSuchBucket"
                ? $"cannot {action} {uri}: bucket {settings.Bucket} of storage {uri.StorageName} not found"
                : $"{uri}: file {uri.Key} not found in storage {uri.StorageName}", "S3Error");
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new JobFailure($"cannot {action} {uri}: the object changed while it was being read; run the job again", "S3Error");
        }
        catch (AmazonS3Exception e)
        {
            throw new JobFailure($"cannot {action} {uri}: {e.ErrorCode}: {e.Message}", "S3Error");
        }
    }

    public void Dispose() => client.Dispose();
}
