namespace Windmill.Jobs.IntegrationTests;

/// <summary>PostgreSQL scripts: the connection comes from a resource resolved as the job's creator; values are bound.</summary>
[Collection(ServicesCollection.Name)]
public sealed class PostgresScriptTests(ServicesFixture services)
{
    private object PgResource()
    {
        var url = new Uri(services.DatabaseUrl);
        return new { host = url.Host, port = url.Port, user = "postgres", dbname = "windmill", sslmode = "disable" };
    }

    [Fact]
    public async Task Statements_run_with_bound_arguments_and_the_last_rows_are_the_result()
    {
        var ws = await TestWorkspace.CreateAsync(services, "pg");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "resources/create", new { path = "u/alice/pg", resource_type = "postgresql", value = PgResource() });
        await alice.DeployAsync(ws, "u/alice/query", "postgresql", """
            -- $1 name
            -- $2 n (int) = 3
            CREATE TEMP TABLE t (name text, n int, j jsonb);
            INSERT INTO t VALUES ($1, $2, '{"a": 1}');
            SELECT name, n, n * 2 AS twice, j FROM t;
            """);
        var schema = (await alice.Get(ws.W + "scripts/get/p/u/alice/query")).Json!["schema"]!;
        Assert.Equal("resource-postgresql", schema["properties"]!["database"]!["format"]!.GetValue<string>());

        const string hostile = "x'); DROP TABLE t; --";
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/query", new { database = "$res:u/alice/pg", name = hostile });
        Assert.Equal(200, r.Status);
        var row = Assert.Single(r.Json!.AsArray())!;
        Assert.Equal(hostile, row["name"]!.GetValue<string>());
        Assert.Equal(3, row["n"]!.GetValue<int>());
        Assert.Equal(6, row["twice"]!.GetValue<int>());
        Assert.Equal(1, row["j"]!["a"]!.GetValue<int>());

        var typed = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/query", new { database = "$res:u/alice/pg", name = "y", n = "lots" });
        Assert.Equal(400, typed.Status);
    }

    [Fact]
    public async Task Errors_and_missing_connection_fail_the_job_clearly()
    {
        var ws = await TestWorkspace.CreateAsync(services, "pg");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "resources/create", new { path = "u/alice/pg", resource_type = "postgresql", value = PgResource() });
        await alice.DeployAsync(ws, "u/alice/bad", "postgresql", "SELECT * FROM no_such_table;");
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/bad", new { database = "$res:u/alice/pg" });
        Assert.Equal(422, r.Status);
        Assert.Contains("no_such_table", r.Json!["error"]!["message"]!.GetValue<string>());
        var missing = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/bad", new { });
        Assert.Equal(400, missing.Status);
        Assert.Contains("argument database", missing.Body);
    }
}
