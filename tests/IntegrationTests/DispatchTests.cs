namespace Windmill.Jobs.IntegrationTests;

/// <summary>Dispatch rules: priority, concurrency per worker, and the wmill module's resource and variable calls.</summary>
[Collection(ServicesCollection.Name)]
public sealed class DispatchTests(ServicesFixture services)
{
    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Higher_priority_jobs_run_first()
    {
        var ws = await TestWorkspace.CreateAsync(services, "prio");
        var alice = await ws.AddUserAsync("alice");
        var tag = NewTag();
        await alice.DeployAsync(ws, "u/alice/low", "bash", "echo low", new { tag, priority = 0 });
        await alice.DeployAsync(ws, "u/alice/high", "bash", "echo high", new { tag, priority = 100 });
        var lows = new List<Guid>();
        for (var i = 0; i < 6; i++) lows.Add(await alice.RunAsync(ws, "u/alice/low"));
        var high = await alice.RunAsync(ws, "u/alice/high");
        await Task.Delay(500); // every message is in the tag's queue before a worker consumes it
        await using var worker = await services.StartWorkerAsync(tag, numWorkers: 1);
        var highJob = await alice.WaitAsync(ws, high);
        var highStart = DateTime.Parse(highJob["started_at"]!.GetValue<string>()).ToUniversalTime();
        var lowStarts = new List<DateTime>();
        foreach (var id in lows) lowStarts.Add(DateTime.Parse((await alice.WaitAsync(ws, id))["started_at"]!.GetValue<string>()).ToUniversalTime());
        // At most the one message already prefetched before the high one was seen may start earlier.
        Assert.True(lowStarts.Count(s => s < highStart) <= 1, $"high started at {highStart:O}, lows at {string.Join(", ", lowStarts.Select(s => s.ToString("O")))}");
    }

    [Fact]
    public async Task A_worker_runs_num_workers_jobs_at_once()
    {
        var ws = await TestWorkspace.CreateAsync(services, "conc");
        var alice = await ws.AddUserAsync("alice");
        var tag = NewTag();
        await alice.DeployAsync(ws, "u/alice/nap", "bash", "sleep 2\necho done", new { tag });
        await using var worker = await services.StartWorkerAsync(tag, numWorkers: 3);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await alice.RunAsync(ws, "u/alice/nap"));
        var jobs = new List<System.Text.Json.Nodes.JsonObject>();
        foreach (var id in ids) jobs.Add(await alice.WaitAsync(ws, id));
        var starts = jobs.Select(j => DateTime.Parse(j["started_at"]!.GetValue<string>())).ToList();
        Assert.True(starts.Max() - starts.Min() < TimeSpan.FromSeconds(1.5), "the three jobs did not run side by side");
    }

    [Fact]
    public async Task Python_wmill_sets_and_reads_variables_and_resources()
    {
        var ws = await TestWorkspace.CreateAsync(services, "wmill");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/py", "python3", """
            import wmill

            def main():
                wmill.set_variable("u/alice/v", "first")
                wmill.set_variable("u/alice/v", "second")
                wmill.set_resource({"n": 1}, "u/alice/r", "state")
                wmill.set_resource({"n": 2, "v": "$var:u/alice/v"}, "u/alice/r")
                return {
                    "var": wmill.get_variable("u/alice/v"),
                    "res": wmill.get_resource("u/alice/r"),
                    "raw": wmill.get_resource("u/alice/r", interpolated=False),
                    "missing": wmill.get_resource("u/alice/none", none_if_undefined=True),
                }
            """);
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/py", new { });
        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("second", r.Json!["var"]!.GetValue<string>());
        Assert.Equal("""{"n":2,"v":"second"}""", r.Json!["res"]!.ToJsonString());
        Assert.Equal("$var:u/alice/v", r.Json!["raw"]!["v"]!.GetValue<string>());
        Assert.Null(r.Json!["missing"]);
    }
}
