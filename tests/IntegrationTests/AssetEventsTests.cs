using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using static Windmill.Jobs.IntegrationTests.Infrastructure.TestAssets;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Runtime asset events (spec 9.5): what jobs are given and touch, written in batches, the latest few kept per asset.</summary>
[Collection(ServicesCollection.Name)]
public sealed class AssetEventsTests(ServicesFixture services)
{
    /// <summary>Events arrive asynchronously: polls until the job's usages are <paramref name="expected"/>.</summary>
    private static async Task<string> JobAssetsAsync(ApiClient who, TestWorkspace ws, Guid job, string expected)
    {
        var shown = "";
        for (var i = 0; i < 100 && shown != expected; i++)
        {
            if (i > 0) await Task.Delay(100);
            shown = Show((await who.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "job", path = job.ToString() } } })).Json![0]);
        }
        return shown;
    }

    [Fact]
    public async Task Jobs_record_their_argument_resources_api_reads_and_writes_and_duckdb_staging()
    {
        var ws = await services.WorkspaceWithStoragesAsync("events");
        var alice = await ws.AddUserAsync("alice");
        Assert.Equal(201, (await alice.Post(ws.W + "resources/create", new { path = "u/alice/cfg", resource_type = "any", value = new { a = 1 } })).Status);
        await alice.DeployAsync(ws, "u/alice/py", "python3", """
            import wmill
            def main(cfg: dict, other: str):
                wmill.get_resource('u/alice/cfg')
                wmill.write_s3_file('s3:///events/out.txt', 'x')
                wmill.set_resource({'a': 2}, 'u/alice/cfg')
                return wmill.load_s3_file('s3:///events/out.txt').decode()
            """);
        var py = await alice.RunAsync(ws, "u/alice/py", new { cfg = "$res:u/alice/cfg", other = "res://u/alice/elsewhere" });
        var pyJob = await alice.WaitAsync(ws, py);
        Assert.True(pyJob["success"]!.GetValue<bool>(), pyJob.ToJsonString());
        const string expectedPy = "s3object:/events/out.txt:rw | resource:u/alice/cfg:rw | resource:u/alice/elsewhere:?";
        Assert.Equal(expectedPy, await JobAssetsAsync(alice, ws, py, expectedPy));

        // A DuckDB step given an S3Object: its staged read and write (straight to S3, so no API route saw them).
        await alice.DeployAsync(ws, "u/alice/duck", "duckdb",
            "-- $input (s3object)\nCOPY (SELECT count(*) AS n FROM read_csv($input)) TO 's3://archive/counted.csv' (FORMAT csv);");
        Assert.Equal(200, (await TestStorage.UploadAsync(alice, ws, "file_key=events/in.csv", "a\n1\n2\n"u8.ToArray())).Status);
        var duck = await alice.RunAsync(ws, "u/alice/duck", new { input = new { s3 = "events/in.csv" } });
        var duckJob = await alice.WaitAsync(ws, duck);
        Assert.True(duckJob["success"]!.GetValue<bool>(), duckJob.ToJsonString());
        const string expectedDuck = "s3object:/events/in.csv:r | s3object:archive/counted.csv:w";
        Assert.Equal(expectedDuck, await JobAssetsAsync(alice, ws, duck, expectedDuck));

        // The listing shows the job usage with its runnable.
        var listed = (await alice.Get(ws.W + "assets/list?asset_path=counted.csv")).Json!["assets"]![0]!;
        var usage = listed["usages"]![0]!;
        Assert.Equal(("job", duck.ToString(), "u/alice/duck"), (usage["kind"]!.GetValue<string>(), usage["path"]!.GetValue<string>(),
            usage["metadata"]!["runnable_path"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_flow_runs_input_assets_are_listed_for_that_run()
    {
        var ws = await TestWorkspace.CreateAsync(services, "events");
        var alice = await ws.AddUserAsync("alice");
        var value = new { modules = new object[] { new { id = "a", value = new { type = "identity" } } } };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/f", summary = "", value })).Status);
        var r = await alice.Post(ws.W + "jobs/run/f/u/alice/f", new { file = new { s3 = "raw/day.csv", storage = "archive" }, db = "$res:f/data/pg" });
        var flowJob = Guid.Parse(r.Body.Trim('"'));
        await alice.WaitAsync(ws, flowJob);
        const string expected = "s3object:archive/raw/day.csv:? | resource:f/data/pg:?";
        Assert.Equal(expected, await JobAssetsAsync(alice, ws, flowJob, expected));
    }

    [Fact]
    public async Task Only_the_latest_ten_job_usages_of_an_asset_are_kept()
    {
        var ws = await TestWorkspace.CreateAsync(services, "events");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/touch", "bash", "echo \"$1\"");
        var jobs = new List<Guid>();
        for (var i = 0; i < 13; i++)
        {
            var job = await alice.RunAsync(ws, "u/alice/touch", new { db = "$res:u/alice/shared" });
            await alice.WaitAsync(ws, job); // one after the other: their order is known
            jobs.Add(job);
        }
        List<string> kept = [];
        for (var i = 0; i < 100; i++)
        {
            var asset = (await alice.Get(ws.W + "assets/list?asset_path=u/alice/shared")).Json!["assets"]!.AsArray().SingleOrDefault();
            kept = asset?["usages"]!.AsArray().Select(u => u!["path"]!.GetValue<string>()).ToList() ?? [];
            if (kept.Contains(jobs[^1].ToString()) && kept.Count <= 10) break;
            await Task.Delay(100);
        }
        Assert.Equal(jobs.TakeLast(10).Select(j => j.ToString()).Order(), kept.Order());
    }

    [Fact]
    public async Task Events_sent_while_the_store_is_down_are_written_once_it_is_back()
    {
        var ws = await TestWorkspace.CreateAsync(services, "events");
        var alice = await ws.AddUserAsync("alice");
        var job = Guid.NewGuid();
        await services.StopPostgresAsync();
        try
        {
            // What a worker sends, straight through RabbitMQ, while the API cannot write.
            var factory = new ConnectionFactory { Uri = new Uri(services.Env["RABBITMQ_URL"]) };
            await using var conn = await factory.CreateConnectionAsync();
            await using var channel = await conn.CreateChannelAsync();
            var uses = new JsonArray([.. Enumerable.Range(0, 50).Select(i => (JsonNode)new JsonObject
            {
                ["workspace"] = ws.Id, ["kind"] = "s3object", ["path"] = $"/outage/{i}.csv", ["access"] = "w", ["jobId"] = job,
                ["at"] = DateTime.UtcNow.ToString("O"),
            })]);
            var envelope = new JsonObject
            {
                ["messageId"] = Guid.NewGuid(),
                ["messageType"] = new JsonArray("urn:message:Windmill.Jobs.Contracts:AssetsUsed"),
                ["message"] = new JsonObject { ["uses"] = uses },
            }.ToJsonString();
            await channel.BasicPublishAsync("asset-events", "", false,
                new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true }, Encoding.UTF8.GetBytes(envelope));
            await Task.Delay(5000); // the API tries, fails, and keeps the message
        }
        finally { await services.StartPostgresAsync(); }

        var shown = "";
        for (var i = 0; i < 150 && shown.Split(" | ").Length < 50; i++)
        {
            await Task.Delay(200);
            var r = await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "job", path = job.ToString() } } });
            if (r.Status == 200) shown = Show(r.Json![0]);
        }
        Assert.Equal(50, shown.Split(" | ").Length);
        Assert.Contains("s3object:/outage/0.csv:w", shown);
    }
}
