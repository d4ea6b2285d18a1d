namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// How DuckDB jobs move S3 objects: straight from S3 in parts (and through the worker's cache) when the job
/// may see the storage's credentials, through the API for known keys when it may not.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class DuckDbStagingTests(ServicesFixture services)
{
    [Fact]
    public async Task Large_objects_go_up_and_down_in_parts_and_an_overwritten_object_is_read_anew()
    {
        var ws = await services.WorkspaceWithStoragesAsync("stage");
        var alice = await ws.AddUserAsync("alice");
        // About 30 MB of CSV: a multipart upload, then parallel ranged reads.
        await alice.DeployAsync(ws, "u/alice/write", "duckdb",
            "COPY (SELECT i, i * 3 AS v, repeat('x', 8) AS pad FROM range(1500000) t(i)) TO 's3:///big/rows.csv' (FORMAT csv);");
        var written = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/write", new { });
        Assert.True(written.Status == 200, written.ToString());
        var metadata = (await alice.Get(ws.W + "job_helpers/load_file_metadata?file_key=big/rows.csv")).Json!;
        Assert.True(metadata["size_in_bytes"]!.GetValue<long>() > 24 << 20, metadata.ToJsonString());

        await alice.DeployAsync(ws, "u/alice/read", "duckdb", "SELECT count(*) AS n, sum(v)::VARCHAR AS total FROM read_csv('s3:///big/rows.csv');");
        var read = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/read", new { });
        Assert.Equal("""[{"n":1500000,"total":"3374997750000"}]""", read.Json!.ToJsonString());
        Assert.Equal(read.Json!.ToJsonString(), (await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/read", new { })).Json!.ToJsonString());

        // The object changes behind the worker's back: the next run reads the new content, not a kept copy.
        Assert.Equal(200, (await TestStorage.UploadAsync(alice, ws, "file_key=big/rows.csv", "i,v,pad\n1,7,y\n2,8,y\n"u8.ToArray())).Status);
        Assert.Equal("""[{"n":2,"total":"15"}]""", (await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/read", new { })).Json!.ToJsonString());
    }

    [Fact]
    public async Task A_job_that_cannot_see_a_private_storage_reads_and_writes_known_keys_but_cannot_glob()
    {
        var ws = await TestWorkspace.CreateAsync(services, "stage");
        var admin = ws.Superadmin;
        var alice = await ws.AddUserAsync("alice");
        await services.BucketResourceAsync(admin, ws, "u/admin_s3/private");
        Assert.Equal(200, (await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new { s3_resource_path = "$res:u/admin_s3/private", public_resource = false },
        })).Status);
        Assert.Equal(200, (await TestStorage.UploadAsync(alice, ws, "file_key=u/alice/in.csv", "x\n1\n2\n3\n"u8.ToArray())).Status);

        await alice.DeployAsync(ws, "u/alice/known", "duckdb",
            "COPY (SELECT sum(x) AS s FROM read_csv('s3:///u/alice/in.csv')) TO 's3:///u/alice/out.csv' (FORMAT csv);\nSELECT 'done' AS r;");
        var known = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/known", new { });
        Assert.True(known.Status == 200, known.ToString());
        Assert.Equal("s\n6\n", System.Text.Encoding.UTF8.GetString((await TestStorage.DownloadAsync(alice, ws, "file_key=u/alice/out.csv")).Bytes));

        await alice.DeployAsync(ws, "u/alice/glob", "duckdb", "SELECT count(*) AS n FROM read_csv('s3:///u/alice/*.csv');");
        var glob = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/glob", new { });
        Assert.Equal(422, glob.Status);
        Assert.Contains("u/admin_s3/private", glob.Body);
        Assert.DoesNotContain(services.Env["S3_SECRET_KEY"], glob.Body);
    }
}
