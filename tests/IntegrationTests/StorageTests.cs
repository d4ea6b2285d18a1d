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
    /// <summary>A new bucket on the S3 server and an s3 resource for it at <paramref name="path"/>.</summary>
    private async Task<string> BucketResourceAsync(ApiClient owner, TestWorkspace ws, string path)
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

    private static async Task<Reply> UploadAsync(ApiClient who, TestWorkspace ws, string query, byte[] bytes)
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

    private static async Task<(int Status, byte[] Bytes)> DownloadAsync(ApiClient who, TestWorkspace ws, string query)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{who.BaseUrl}/api/{ws.W}job_helpers/download_s3_file?{query}");
        request.Headers.Authorization = new("Bearer", who.Token);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Files_go_up_and_down_in_the_primary_and_a_secondary_storage()
    {
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var admin = ws.Superadmin;
        await BucketResourceAsync(admin, ws, "f/storage/main");
        await BucketResourceAsync(admin, ws, "f/storage/archive");
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
        Assert.Equal("""{"file_key":"data/big.bin"}""", (await UploadAsync(admin, ws, "file_key=data/big.bin", big)).Body);
        var (status, back) = await DownloadAsync(admin, ws, "file_key=data/big.bin");
        Assert.Equal(200, status);
        Assert.True(big.AsSpan().SequenceEqual(back));
        var meta = (await admin.Get(ws.W + "job_helpers/load_file_metadata?file_key=data/big.bin")).Json!;
        Assert.Equal(20_000_000, meta["size_in_bytes"]!.GetValue<long>());

        var anonymous = (await UploadAsync(admin, ws, "file_extension=csv", "a,b\n1,2\n"u8.ToArray())).Json!["file_key"]!.GetValue<string>();
        Assert.Matches("^windmill_uploads/[0-9a-f]{32}\\.csv$", anonymous);

        Assert.Equal(200, (await UploadAsync(admin, ws, "file_key=old.txt&storage=archive", "archived"u8.ToArray())).Status);
        Assert.Equal("archived", System.Text.Encoding.UTF8.GetString((await DownloadAsync(admin, ws, "file_key=old.txt&storage=archive")).Bytes));
        Assert.Equal(404, (await DownloadAsync(admin, ws, "file_key=old.txt")).Status); // not in the primary

        var listed = (await admin.Get(ws.W + "job_helpers/list_stored_files")).Json!["windmill_large_files"]!.AsArray()
            .Select(f => f!["s3"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "data/big.bin", anonymous }, listed);
        var paged = (await admin.Get(ws.W + "job_helpers/list_stored_files?max_keys=1")).Json!;
        Assert.Equal("data/big.bin", paged["next_marker"]!.GetValue<string>());

        var moved = await admin.Get(ws.W + "job_helpers/move_s3_file?src_file_key=data/big.bin&dest_file_key=data/moved.bin");
        Assert.True(moved.Status == 200, moved.ToString());
        Assert.Equal(404, (await DownloadAsync(admin, ws, "file_key=data/big.bin")).Status);
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
        await BucketResourceAsync(admin, ws, "u/admin_s3/private");
        await BucketResourceAsync(admin, ws, "u/admin_s3/shared");
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
        Assert.Equal(200, (await UploadAsync(alice, ws, "file_key=u/alice/note.txt", "mine"u8.ToArray())).Status);
        Assert.Equal("mine", System.Text.Encoding.UTF8.GetString((await DownloadAsync(alice, ws, "file_key=u/alice/note.txt")).Bytes));
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

        await BucketResourceAsync(admin, ws, "f/storage/main");
        Assert.Equal(200, (await admin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new { s3_resource_path = "$res:f/storage/main", public_resource = true },
        })).Status);
        var unknown = await admin.Get(ws.W + "job_helpers/list_stored_files?storage=nowhere");
        Assert.Equal(404, unknown.Status);
        Assert.Contains("storage 'nowhere'", unknown.Body);
        var missing = await DownloadAsync(admin, ws, "file_key=no/such/key.csv");
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
        await BucketResourceAsync(admin, ws, "f/storage/main");
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
        var ws = await TestWorkspace.CreateAsync(services, "s3");
        var alice = await ws.AddUserAsync("alice");
        await BucketResourceAsync(ws.Superadmin, ws, "f/storage/main");
        await BucketResourceAsync(ws.Superadmin, ws, "f/storage/archive");
        Assert.Equal(200, (await ws.Superadmin.Post(ws.W + "workspaces/edit_large_file_storage_config", new
        {
            large_file_storage = new
            {
                s3_resource_path = "$res:f/storage/main", public_resource = true,
                secondary_storage = new { archive = new { s3_resource_path = "$res:f/storage/archive", public_resource = true } },
            },
        })).Status);

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

    private async Task<TestWorkspace> WorkspaceWithStoragesAsync()
    {
        var ws = await TestWorkspace.CreateAsync(services, "etl");
        await BucketResourceAsync(ws.Superadmin, ws, "f/storage/main");
        await BucketResourceAsync(ws.Superadmin, ws, "f/storage/archive");
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

    [Theory]
    [InlineData("")]
    [InlineData("archive")]
    public async Task A_flow_turns_a_csv_on_s3_into_parquet_on_s3_with_duckdb(string storage)
    {
        var ws = await WorkspaceWithStoragesAsync();
        var alice = await ws.AddUserAsync("alice");
        var prefix = $"s3://{storage}/";
        object Py(string id, string code, object inputs) =>
            new { id, value = new { type = "rawscript", language = "python3", content = code, input_transforms = inputs } };
        var value = new
        {
            modules = new object[]
            {
                Py("raw", $"import wmill\ndef main():\n    rows = ['kind,amount'] + [f'{{k}},{{i}}' for i in range(1, 101) for k in ('a', 'b')]\n" +
                          $"    return wmill.write_s3_file('{prefix}raw/events.csv', '\\n'.join(rows) + '\\n')\n", new { }),
                new
                {
                    id = "aggregate", value = new
                    {
                        type = "rawscript", language = "duckdb",
                        content = $"-- $events (s3object)\nCOPY (SELECT kind, count(*) AS n, sum(amount) AS total FROM read_csv($events) GROUP BY kind ORDER BY kind) " +
                                  $"TO '{prefix}out/daily.parquet' (FORMAT parquet);\nSELECT count(*) AS kinds FROM read_parquet('{prefix}out/daily.parquet');",
                        input_transforms = new { events = new { type = "javascript", expr = "results.raw" } },
                    },
                },
                Py("check", $"import hashlib, wmill\ndef main(kinds):\n    data = wmill.load_s3_file('{prefix}out/daily.parquet')\n" +
                            "    return [kinds, data[:4].decode(), len(hashlib.sha256(data).hexdigest())]\n",
                    new { kinds = new { type = "javascript", expr = "results.aggregate[0].kinds" } }),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/etl", summary = "", value })).Status);
        var r = await alice.Post(ws.W + "jobs/run_wait_result/f/u/alice/etl", new { });
        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("""[2,"PAR1",64]""", r.Json!.ToJsonString());
        var query = storage == "" ? "" : "&storage=" + storage;
        Assert.Equal(200, (await alice.Get(ws.W + "job_helpers/load_file_metadata?file_key=out/daily.parquet" + query)).Status);

        // Previews of the output and the input.
        var parquet = (await alice.Get(ws.W + "job_helpers/load_parquet_preview/out/daily.parquet?sort_col=kind&sort_desc=true" + query)).Json!;
        var columns = parquet["columns"]!.AsArray();
        Assert.Equal(new[] { "kind", "n", "total" }, columns.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("""["b","a"]""", columns[0]!["values"]!.ToJsonString());
        Assert.Equal("[100,100]", columns[1]!["values"]!.ToJsonString());
        var csv = (await alice.Get(ws.W + "job_helpers/load_csv_preview/raw/events.csv?search_col=amount&search_term=99&limit=10" + query)).Json!;
        Assert.Equal("""["a","b"]""", csv["columns"]![0]!["values"]!.ToJsonString());
        Assert.Equal(200, (await alice.Get(ws.W + "job_helpers/load_table_count/raw/events.csv?x=1" + query)).Json!["count"]!.GetValue<int>());
        var text = (await alice.Get(ws.W + "job_helpers/load_file_preview?file_key=raw/events.csv&read_bytes_length=12" + query)).Json!;
        Assert.Equal("Csv", text["content_type"]!.GetValue<string>());
        Assert.Equal("kind,amount\n", text["content"]!.GetValue<string>());
        var preview = (await alice.Get(ws.W + "job_helpers/load_file_preview?file_key=out/daily.parquet" + query)).Json!;
        Assert.Equal("Parquet", preview["content_type"]!.GetValue<string>());
        Assert.Contains("\"kind\"", preview["content"]!.GetValue<string>());
        var badColumn = await alice.Get(ws.W + "job_helpers/load_parquet_preview/out/daily.parquet?sort_col=nope" + query);
        Assert.Equal(400, badColumn.Status);
        Assert.Contains("no column 'nope'", badColumn.Body);
    }

    [Fact]
    public async Task A_failing_duckdb_script_uploads_nothing_and_a_missing_input_is_named()
    {
        var ws = await WorkspaceWithStoragesAsync();
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/fails", "duckdb",
            "COPY (SELECT 1 AS x) TO 's3:///out/partial.parquet' (FORMAT parquet);\nSELECT * FROM no_such_table;");
        var failed = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/fails", new { });
        Assert.Equal(422, failed.Status);
        Assert.Contains("no_such_table", failed.Body);
        Assert.Equal(404, (await alice.Get(ws.W + "job_helpers/load_file_metadata?file_key=out/partial.parquet")).Status);

        await alice.DeployAsync(ws, "u/alice/missing", "duckdb", "SELECT * FROM read_parquet('s3:///in/nothing.parquet');");
        var missing = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/missing", new { });
        Assert.Equal(422, missing.Status);
        Assert.Contains("in/nothing.parquet", missing.Body);

        Assert.Equal(200, (await UploadAsync(alice, ws, "file_key=in/corrupt.parquet", "not a parquet file"u8.ToArray())).Status);
        await alice.DeployAsync(ws, "u/alice/corrupt", "duckdb", "SELECT * FROM read_parquet('s3:///in/corrupt.parquet');");
        var corrupt = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/corrupt", new { });
        Assert.Equal(422, corrupt.Status);
        Assert.Contains("parquet", corrupt.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DuckDb_jobs_run_under_the_configured_memory_limit()
    {
        var ws = await TestWorkspace.CreateAsync(services, "etl");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/limit", "duckdb", "SELECT current_setting('memory_limit') AS m;");
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/limit", new { });
        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("488.2 MiB", r.Json![0]!["m"]!.GetValue<string>()); // DUCKDB_MEMORY_LIMIT=512MB in the test workers
    }

    [Fact]
    public async Task DuckDb_result_collection_and_value_mapping()
    {
        var ws = await TestWorkspace.CreateAsync(services, "etl");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/values", "duckdb", """
            -- result_collection=last_statement_first_row
            CREATE TABLE t AS SELECT 1 AS x;
            SELECT DATE '2026-11-21' AS d, TIMESTAMP '2026-11-21 10:30:00' AS ts, 12345678901234567890.123::DECIMAL(38,3) AS exact,
                   9007199254740993::BIGINT AS big, 170141183460469231731687303715884105727::HUGEINT AS huge, 'text' AS s, true AS b;
            """);
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/values", new { });
        Assert.True(r.Status == 200, r.ToString());
        // The raw text: exact decimals and large integers must not pass through a double.
        Assert.Contains("\"exact\": 12345678901234567890.123", r.Body);
        Assert.Contains("\"big\": 9007199254740993", r.Body);
        Assert.Contains("\"huge\": 170141183460469231731687303715884105727", r.Body);
        var row = r.Json!;
        Assert.Equal("2026-11-21", row["d"]!.GetValue<string>());
        Assert.Equal("2026-11-21T10:30:00", row["ts"]!.GetValue<string>());
        Assert.Equal("text", row["s"]!.GetValue<string>());
        Assert.True(row["b"]!.GetValue<bool>());

        await alice.DeployAsync(ws, "u/alice/scalar", "duckdb", "-- result_collection=all_statements_first_row_scalar\nSELECT 1;\nSELECT 'two';");
        Assert.Equal("""[1,"two"]""", (await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/scalar", new { })).Json!.ToJsonString());
    }
}
