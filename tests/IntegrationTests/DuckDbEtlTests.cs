using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>DuckDB on workspace storage (spec 10.6): the ETL flow, previews, failures, result collection, value mapping, memory limit.</summary>
[Collection(ServicesCollection.Name)]
public sealed class DuckDbEtlTests(ServicesFixture services)
{
    [Theory]
    [InlineData("")]
    [InlineData("archive")]
    public async Task A_flow_turns_a_csv_on_s3_into_parquet_on_s3_with_duckdb(string storage)
    {
        var ws = await services.WorkspaceWithStoragesAsync("etl");
        var alice = await ws.AddUserAsync("alice");
        var prefix = $"s3://{storage}/";
        object Py(string id, string code, object inputs) => FlowSteps.RawScript(id, "python3", code, inputs: inputs);
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
        var asCsv = await alice.Get(ws.W + "job_helpers/download_s3_parquet_file_as_csv?file_key=out/daily.parquet" + query);
        Assert.Equal(200, asCsv.Status);
        Assert.Equal("kind,n,total\na,100,5050.0\nb,100,5050.0\n", asCsv.Body);
        var badColumn = await alice.Get(ws.W + "job_helpers/load_parquet_preview/out/daily.parquet?sort_col=nope" + query);
        Assert.Equal(400, badColumn.Status);
        Assert.Contains("no column 'nope'", badColumn.Body);
    }

    [Fact]
    public async Task A_failing_duckdb_script_uploads_nothing_and_a_missing_input_is_named()
    {
        var ws = await services.WorkspaceWithStoragesAsync("etl");
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

        Assert.Equal(200, (await TestStorage.UploadAsync(alice, ws, "file_key=in/corrupt.parquet", "not a parquet file"u8.ToArray())).Status);
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

    [Fact]
    public async Task DuckDb_nested_and_special_values_map_to_json()
    {
        var ws = await TestWorkspace.CreateAsync(services, "etl");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/nested", "duckdb", """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            SELECT ['a', 'b,c', NULL] AS list, [[1, 2], []] AS nested, {'x': 1, 'y': 'hi', 'z': [1.5, NULL]} AS struct,
                   MAP {'k': 10, 'l': 20} AS map, [1, 2, 3]::INTEGER[3] AS array, 'happy'::mood AS mood,
                   'a1b2c3d4-0000-4000-8000-000000000001'::UUID AS uuid, 3.14::DECIMAL(4,2) AS dec, -0.5::DECIMAL(3,1) AS neg,
                   TIMESTAMP_NS '2026-01-01 00:00:00.123456789' AS ns, TIMESTAMP_S '1969-12-31 23:59:59' AS s,
                   TIME '10:30:00.5' AS t, INTERVAL '1 year 2 months 3 days 04:05:06.5' AS iv, DATE 'infinity' AS inf,
                   'nan'::DOUBLE AS nan, 0.1::FLOAT AS f, '\xAA\x41'::BLOB AS blob, '0101'::BITSTRING AS bits,
                   union_value(num := 2)::UNION(num INTEGER, str VARCHAR) AS u, NULL AS nothing
            FROM range(3000) t(i) WHERE i IN (0, 2999);
            """);
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/nested", new { });
        Assert.True(r.Status == 200, r.ToString());
        var rows = r.Json!.AsArray();
        Assert.Equal(2, rows.Count); // rows from more than one chunk
        Assert.Equal(rows[0]!.ToJsonString(), rows[1]!.ToJsonString());
        // The result is stored as jsonb, which orders keys its own way: compare as JSON.
        var expected = JsonNode.Parse("""
            {"list":["a","b,c",null],"nested":[[1,2],[]],"struct":{"x":1,"y":"hi","z":[1.5,null]},"map":{"k":10,"l":20},"array":[1,2,3],"mood":"happy","uuid":"a1b2c3d4-0000-4000-8000-000000000001","dec":3.14,"neg":-0.5,"ns":"2026-01-01T00:00:00.123456789","s":"1969-12-31T23:59:59","t":"10:30:00.5","iv":"1 year 2 months 3 days 04:05:06.5","inf":"infinity","nan":"nan","f":0.1,"blob":"\\xAAA","bits":"0101","u":2,"nothing":null}
            """);
        Assert.True(JsonNode.DeepEquals(expected, rows[0]), rows[0]!.ToJsonString());
    }
}
