using System.Net;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// Workspace object storage (spec 10.2, 10.4) against the real S3 server: settings, streamed upload and
/// download, listing, metadata, secondary storages, and the public_resource access rules, proven with a
/// user who cannot read the storage resource.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class StorageTests(ServicesFixture services)
{
    [Fact]
    public async Task Files_go_up_and_down_in_the_primary_and_a_secondary_storage()
    {
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var admin = ws.Superadmin;
        await services.BucketResourceAsync(admin, ws, "f/storage/main");
        await services.BucketResourceAsync(admin, ws, "f/storage/archive");
        var edit = await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new
            {
                type = "S3Storage", s3_resource_path = "$res:f/storage/main", public_resource = true,
                secondary_storage = new { archive = new { type = "S3Storage", s3_resource_path = "$res:f/storage/archive", public_resource = true } },
            },
        });
        Assert.True(edit.Status == 200, edit.ToString());
        Assert.Equal("$res:f/storage/main", (await admin.Get(ws.W + "workspaces/get_settings")).Json!["large_file_storage"]!["s3_resource_path"]!.GetValue<string>());

        // 20 MB: more than one upload part.
        var big = new byte[20_000_000];
        new Random(7).NextBytes(big);
        Assert.Equal("""{"file_key":"data/big.bin"}""", (await TestStorage.UploadAsync(admin, ws, "file_key=data/big.bin", big)).Body);
        var (status, back) = await TestStorage.DownloadAsync(admin, ws, "file_key=data/big.bin");
        Assert.Equal(200, status);
        Assert.True(big.AsSpan().SequenceEqual(back));
        var meta = (await admin.Get(ws.W + "job_helpers/load_file_metadata?file_key=data/big.bin")).Json!;
        Assert.Equal(20_000_000, meta["size_in_bytes"]!.GetValue<long>());

        var anonymous = (await TestStorage.UploadAsync(admin, ws, "file_extension=csv", "a,b\n1,2\n"u8.ToArray())).Json!["file_key"]!.GetValue<string>();
        Assert.Matches("^windmill_uploads/[0-9a-f]{32}\\.csv$", anonymous);

        Assert.Equal(200, (await TestStorage.UploadAsync(admin, ws, "file_key=old.txt&storage=archive", "archived"u8.ToArray())).Status);
        Assert.Equal("archived", System.Text.Encoding.UTF8.GetString((await TestStorage.DownloadAsync(admin, ws, "file_key=old.txt&storage=archive")).Bytes));
        Assert.Equal(404, (await TestStorage.DownloadAsync(admin, ws, "file_key=old.txt")).Status); // not in the primary

        var listed = (await admin.Get(ws.W + "job_helpers/list_stored_files")).Json!["windmill_large_files"]!.AsArray()
            .Select(f => f!["s3"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "data/big.bin", anonymous }, listed);
        var paged = (await admin.Get(ws.W + "job_helpers/list_stored_files?max_keys=1")).Json!;
        Assert.Equal("data/big.bin", paged["next_marker"]!.GetValue<string>());

        var moved = await admin.Get(ws.W + "job_helpers/move_s3_file?src_file_key=data/big.bin&dest_file_key=data/moved.bin");
        Assert.True(moved.Status == 200, moved.ToString());
        Assert.Equal(404, (await TestStorage.DownloadAsync(admin, ws, "file_key=data/big.bin")).Status);
        Assert.Equal(200, (await admin.Delete(ws.W + "job_helpers/delete_s3_file?file_key=data/moved.bin")).Status);
        var gone = await admin.Get(ws.W + "job_helpers/load_file_metadata?file_key=data/moved.bin");
        Assert.Equal(404, gone.Status);
        Assert.Contains("data/moved.bin", gone.Body);
        Assert.Equal(200, (await admin.Get(ws.W + "job_helpers/test_connection?storage=archive")).Status);
    }

    [Fact]
    public async Task A_user_who_cannot_read_a_private_storage_resource_uses_known_keys_but_cannot_browse()
    {
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var admin = ws.Superadmin;
        var alice = await ws.AddUserAsync("alice");
        await services.BucketResourceAsync(admin, ws, "u/admin_s3/private");
        await services.BucketResourceAsync(admin, ws, "u/admin_s3/shared");
        Assert.Equal(200, (await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new
            {
                s3_resource_path = "$res:u/admin_s3/private", public_resource = false,
                secondary_storage = new { shared = new { s3_resource_path = "$res:u/admin_s3/shared", public_resource = true } },
            },
        })).Status);
        Assert.Equal(401, (await alice.Get(ws.W + "resources/get/u/admin_s3/private")).Status); // alice cannot read it

        // Known keys: upload and download work.
        Assert.Equal(200, (await TestStorage.UploadAsync(alice, ws, "file_key=u/alice/note.txt", "mine"u8.ToArray())).Status);
        Assert.Equal("mine", System.Text.Encoding.UTF8.GetString((await TestStorage.DownloadAsync(alice, ws, "file_key=u/alice/note.txt")).Bytes));
        // Browsing and the resource's details (credentials) are refused, and the refusal shows no secret.
        var list = await alice.Get(ws.W + "job_helpers/list_stored_files");
        Assert.Equal(403, list.Status);
        Assert.Contains("u/admin_s3/private", list.Body);
        var info = await alice.Post(ws.W + "job_helpers/v2/s3_resource_info", new { });
        Assert.Equal(403, info.Status);
        Assert.DoesNotContain(services.Env["S3_SECRET_KEY"], info.Body);
        Assert.Equal(403, (await alice.Post(ws.W + "job_helpers/v2/duckdb_connection_settings", new { })).Status);
        // The admin, who can read the resource, may browse.
        Assert.Equal(200, (await admin.Get(ws.W + "job_helpers/list_stored_files")).Status);

        // A public storage: alice may browse and see its details though she cannot read the resource.
        Assert.Equal(200, (await alice.Get(ws.W + "job_helpers/list_stored_files?storage=shared")).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "job_helpers/v2/s3_resource_info?storage=shared", new { })).Status);
        var duckdb = await alice.Post(ws.W + "job_helpers/v2/duckdb_connection_settings?storage=shared", new { });
        Assert.Contains($"SET s3_endpoint='{services.Env["S3_ENDPOINT"]}';", duckdb.Json!["connection_settings_str"]!.GetValue<string>());
        var polars = await alice.Post(ws.W + "job_helpers/v2/polars_connection_settings?storage=shared", new { });
        Assert.Equal($"http://{services.Env["S3_ENDPOINT"]}", polars.Json!["storage_options"]!["aws_endpoint_url"]!.GetValue<string>());

        // An s3 resource named by the request (s3_resource_path) instead of a storage: for those who can read it only.
        var viaShared = "file_key=direct.txt&s3_resource_path=" + Uri.EscapeDataString("$res:u/admin_s3/shared");
        Assert.Equal(200, (await TestStorage.UploadAsync(admin, ws, viaShared, "direct"u8.ToArray())).Status);
        Assert.Equal("direct", System.Text.Encoding.UTF8.GetString((await TestStorage.DownloadAsync(admin, ws, viaShared)).Bytes));
        var refused = await TestStorage.UploadAsync(alice, ws, "file_key=u/alice/x.txt&s3_resource_path=u/admin_s3/private", "no"u8.ToArray());
        Assert.NotEqual(200, refused.Status);
        Assert.Contains("u/admin_s3/private", refused.Body);
    }

    [Fact]
    public async Task Bad_storage_input_is_named()
    {
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var admin = ws.Superadmin;
        var none = await admin.Get(ws.W + "job_helpers/list_stored_files");
        Assert.Equal(404, none.Status);
        Assert.Contains("No files storage resource defined at the workspace level", none.Body);

        var reserved = await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new
            {
                s3_resource_path = "$res:f/storage/main", public_resource = true,
                secondary_storage = new { _default_ = new { s3_resource_path = "$res:f/storage/other" } },
            },
        });
        Assert.Equal(400, reserved.Status);
        Assert.Contains("'_default_' is not a valid storage name", reserved.Body);

        await services.BucketResourceAsync(admin, ws, "f/storage/main");
        Assert.Equal(200, (await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new { s3_resource_path = "$res:f/storage/main", public_resource = true },
        })).Status);
        var unknown = await admin.Get(ws.W + "job_helpers/list_stored_files?storage=nowhere");
        Assert.Equal(404, unknown.Status);
        Assert.Contains("storage 'nowhere'", unknown.Body);
        var missing = await TestStorage.DownloadAsync(admin, ws, "file_key=no/such/key.csv");
        Assert.Equal(404, missing.Status);
        Assert.Contains("no/such/key.csv", System.Text.Encoding.UTF8.GetString(missing.Bytes));
        var alice = await ws.AddUserAsync("alice");
        Assert.Equal(403, (await alice.Post(ws.W + "workspaces/edit_large_file_storage_config", new { large_file_storage = (object?)null })).Status);
    }

    /// <summary>A body that sends some bytes, then breaks off as a dropped connection would.</summary>
    private sealed class BrokenBody(int bytesBeforeBreak) : Stream
    {
        private int _sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent >= bytesBeforeBreak) throw new IOException("connection dropped");
            var n = Math.Min(count, bytesBeforeBreak - _sent);
            Array.Fill(buffer, (byte)'x', offset, n);
            _sent += n;
            return n;
        }
    }

    [Fact]
    public async Task An_upload_cut_off_half_way_leaves_no_object()
    {
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var admin = ws.Superadmin;
        await services.BucketResourceAsync(admin, ws, "f/storage/main");
        Assert.Equal(200, (await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new { s3_resource_path = "$res:f/storage/main", public_resource = true },
        })).Status);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{admin.BaseUrl}/api/{ws.W}job_helpers/upload_s3_file?file_key=cut.bin")
        {
            Content = new StreamContent(new BrokenBody(12_000_000)),
        };
        request.Content.Headers.ContentLength = 20_000_000;
        request.Headers.Authorization = new("Bearer", admin.Token);
        await Assert.ThrowsAnyAsync<Exception>(() => http.SendAsync(request));
        await Task.Delay(1000);
        Assert.Equal(404, (await admin.Get(ws.W + "job_helpers/load_file_metadata?file_key=cut.bin")).Status);
        Assert.Empty((await admin.Get(ws.W + "job_helpers/list_stored_files")).Json!["windmill_large_files"]!.AsArray());
    }

    [Fact]
    public async Task Python_and_bun_jobs_write_and_read_objects_with_their_clients()
    {
        var ws = await services.WorkspaceWithStoragesAsync("s3");
        var alice = await ws.AddUserAsync("alice");

        await alice.DeployAsync(ws, "u/alice/py_s3", "python3", """
            import io, wmill
            def main():
                first = wmill.write_s3_file({"s3": "u/alice/raw.csv"}, b"a,b\n1,2\n")
                streamed = wmill.write_s3_file("s3://archive/u/alice/big.bin", io.BytesIO(b"x" * 3_000_000))
                fresh = wmill.write_s3_file(None, "no key given")
                with wmill.load_s3_file_reader(streamed) as r:
                    size = len(r.read())
                return [first, streamed, fresh["s3"].startswith("windmill_uploads/"), wmill.load_s3_file("s3:///u/alice/raw.csv").decode(), size]
            """);
        var py = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/py_s3", new { });
        Assert.True(py.Status == 200, py.ToString());
        Assert.Equal("""[{"s3":"u/alice/raw.csv"},{"s3":"u/alice/big.bin","storage":"archive"},true,"a,b\n1,2\n",3000000]""", py.Json!.ToJsonString());

        await alice.DeployAsync(ws, "u/alice/ts_s3", "bun", """
            import * as wmill from "windmill-client";
            export async function main(file: { s3: string }) {
              const written = await wmill.writeS3File({ s3: "u/alice/from_bun.txt" }, "written by bun");
              const back = await wmill.loadS3File(written);
              const input = await wmill.loadS3File(file);
              return [written, new TextDecoder().decode(back), new TextDecoder().decode(input)];
            }
            """);
        var ts = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/ts_s3", new { file = new { s3 = "u/alice/raw.csv" } });
        Assert.True(ts.Status == 200, ts.ToString());
        Assert.Equal("""[{"s3":"u/alice/from_bun.txt"},"written by bun","a,b\n1,2\n"]""", ts.Json!.ToJsonString());

        await alice.DeployAsync(ws, "u/alice/missing", "python3", "import wmill\ndef main():\n    return wmill.load_s3_file({'s3': 'u/alice/none.csv'})\n");
        var missing = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/missing", new { });
        Assert.Equal(422, missing.Status);
        Assert.Contains("u/alice/none.csv", missing.Body);
    }
}
