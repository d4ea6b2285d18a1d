using System.Net;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>Buckets on the test S3 server, workspaces linked to them, and raw uploads and downloads.</summary>
public static class TestStorage
{
    /// <summary>A new bucket on the S3 server and an s3 resource for it at <paramref name="path"/>.</summary>
    public static async Task<string> BucketResourceAsync(this ServicesFixture services, ApiClient owner, TestWorkspace ws, string path)
    {
        var bucket = "b" + Guid.NewGuid().ToString("N")[..12];
        using var http = new HttpClient();
        var created = await http.PutAsync($"http://{services.Env["S3_ENDPOINT"]}/{bucket}", null);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var r = await owner.Post(ws.W + "resources/create", new
        {
            path, resource_type = "s3",
            value = new
            {
                bucket, region = "us-east-1", endPoint = services.Env["S3_ENDPOINT"], useSSL = false,
                accessKey = services.Env["S3_ACCESS_KEY"], secretKey = services.Env["S3_SECRET_KEY"], pathStyle = true,
            },
        });
        Assert.True(r.Status == 201, r.ToString());
        return bucket;
    }


    /// <summary>A workspace whose primary storage is <c>f/storage/main</c> and secondary <c>archive</c> is <c>f/storage/archive</c>, both public.</summary>
    public static async Task<TestWorkspace> WorkspaceWithStoragesAsync(this ServicesFixture services, string prefix)
    {
        var ws = await TestWorkspace.CreateAsync(services, prefix);
        await services.BucketResourceAsync(ws.Superadmin, ws, "f/storage/main");
        await services.BucketResourceAsync(ws.Superadmin, ws, "f/storage/archive");
        Assert.Equal(200, (await ws.Superadmin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new
            {
                s3_resource_path = "$res:f/storage/main", public_resource = true,
                secondary_storage = new { archive = new { s3_resource_path = "$res:f/storage/archive", public_resource = true } },
            },
        })).Status);
        return ws;
    }

    public static async Task<Reply> UploadAsync(ApiClient who, TestWorkspace ws, string query, byte[] bytes)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{who.BaseUrl}/api/{ws.W}job_helpers/upload_s3_file?{query}")
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.Authorization = new("Bearer", who.Token);
        using var response = await http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public static async Task<(int Status, byte[] Bytes)> DownloadAsync(ApiClient who, TestWorkspace ws, string query)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{who.BaseUrl}/api/{ws.W}job_helpers/download_s3_file?{query}");
        request.Headers.Authorization = new("Bearer", who.Token);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }
}
