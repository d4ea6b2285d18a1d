namespace Windmill.Jobs.IntegrationTests;

/// <summary>DuckDB SQL run in the worker through libduckdb (local data; S3 comes with workspace storage).</summary>
[Collection(ServicesCollection.Name)]
public sealed class DuckDbScriptTests(ServicesFixture services)
{
    [Fact]
    public async Task Named_arguments_local_files_and_the_last_statements_rows()
    {
        var ws = await TestWorkspace.CreateAsync(services, "duck");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/duck", "duckdb", """
            -- $limit (bigint) = 2
            -- $name (text) = 'bob'
            CREATE TABLE t AS SELECT range AS i, range * 1.5 AS x, DATE '2024-01-01' + range::INT AS d FROM range(5);
            COPY t TO 'out.csv' (HEADER);
            SELECT i, x, d, $name AS name, (SELECT count(*) FROM read_csv('out.csv')) AS n FROM t ORDER BY i LIMIT $limit;
            """);
        var schema = (await alice.Get(ws.W + "scripts/get/p/u/alice/duck")).Json!["schema"]!;
        Assert.Equal(2, schema["properties"]!["limit"]!["default"]!.GetValue<int>());

        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/duck", new { name = "ada'; DROP TABLE t; --", limit = 3 });
        Assert.True(r.Status == 200, r.ToString());
        var rows = r.Json!.AsArray();
        Assert.Equal(3, rows.Count);
        Assert.Equal(1, rows[1]!["i"]!.GetValue<int>());
        Assert.Equal(1.5m, rows[1]!["x"]!.GetValue<decimal>());
        Assert.Equal("2024-01-02", rows[1]!["d"]!.GetValue<string>());
        Assert.Equal("ada'; DROP TABLE t; --", rows[0]!["name"]!.GetValue<string>());
        Assert.Equal(5, rows[0]!["n"]!.GetValue<int>());

        var defaults = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/duck", new { });
        Assert.Equal(2, defaults.Json!.AsArray().Count);
        Assert.Equal("bob", defaults.Json![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sql_errors_fail_the_job_with_duckdbs_message()
    {
        var ws = await TestWorkspace.CreateAsync(services, "duck");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/bad", "duckdb", "SELECT * FROM missing_table;");
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/bad", new { });
        Assert.Equal(422, r.Status);
        Assert.Contains("missing_table", r.Json!["error"]!["message"]!.GetValue<string>());
    }
}
