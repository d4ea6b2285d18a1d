using System.Diagnostics;
using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// Flows under faults (issue 4): a worker dying in the middle of a flow loses nothing and no step runs twice
/// to completion; canceling a flow cancels its running step and keeps the flow's custom state. Each test serves a tag of its own.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class FlowFaultTests(ServicesFixture services)
{
    private static object Bash(string id, string code, string tag) => FlowSteps.RawScript(id, "bash", code, tag);

    private async Task<Dictionary<string, long>> CompletedStepsAsync(Guid flow)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT j.flow_step_id, count(*) FROM v2_job j JOIN v2_job_completed c ON c.id = j.id
            WHERE j.parent_job = @id AND c.status = 'success' GROUP BY 1
            """, db);
        cmd.Parameters.AddWithValue("id", flow);
        var counts = new Dictionary<string, long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) counts[r.GetString(0)] = r.GetInt64(1);
        return counts;
    }

    [Fact]
    public async Task A_worker_killed_mid_flow_loses_nothing_and_no_step_completes_twice()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ffault");
        var alice = await ws.AddUserAsync("alice");
        var tag = "t" + Guid.NewGuid().ToString("N")[..10];
        var value = new
        {
            modules = new object[]
            {
                Bash("a", "echo a", tag),
                Bash("b", "echo started-b\nsleep 3\necho b", tag),
                Bash("c", "echo c", tag),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/durable", summary = "", value, tag })).Status);
        var victim = await services.StartWorkerAsync(tag, name: "victim-" + tag);
        var id = Guid.Parse((await alice.Post(ws.W + "jobs/run/f/u/alice/durable", new { })).Body.Trim('"'));

        // Wait until step b runs, then kill its worker (SIGKILL: nothing is handed back).
        for (var i = 0; i < 200; i++)
        {
            var steps = (await alice.Get(ws.W + $"jobs/list?parent_job={id}")).Json!.AsArray();
            var b = steps.FirstOrDefault(s => s!["script_path"]!.GetValue<string>().EndsWith("/b"));
            if (b is not null && (await alice.Get(ws.W + $"jobs_u/get_logs/{b["id"]}")).Body.Contains("started-b")) break;
            await Task.Delay(100);
        }
        Process.GetProcessById(victim.Id).Kill();
        await victim.DisposeAsync();

        await using var rescuer = await services.StartWorkerAsync(tag, name: "rescuer-" + tag);
        var flow = await alice.WaitAsync(ws, id, 90);
        Assert.True(flow["success"]!.GetValue<bool>(), flow.ToJsonString());
        Assert.Equal("\"c\"", flow["result"]!.ToJsonString());
        await Task.Delay(1000);
        var completed = await CompletedStepsAsync(id);
        Assert.Equal(1, completed["a"]);
        Assert.Equal(1, completed["b"]);
        Assert.Equal(1, completed["c"]);
    }

    [Fact]
    public async Task Canceling_a_flow_cancels_its_running_step_and_keeps_its_custom_state()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ffault");
        var alice = await ws.AddUserAsync("alice");
        var value = new
        {
            modules = new object[]
            {
                FlowSteps.RawScript("slow", "python3", "import wmill, time\ndef main():\n    wmill.set_flow_user_state('progress', 'half')\n    time.sleep(60)\n"),
                FlowSteps.RawScript("never", "bash", "echo ran"),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/cancelme", summary = "", value })).Status);
        var id = Guid.Parse((await alice.Post(ws.W + "jobs/run/f/u/alice/cancelme", new { })).Body.Trim('"'));
        Guid? step = null;
        for (var i = 0; i < 200 && step is null; i++)
        {
            var steps = (await alice.Get(ws.W + $"jobs/list?parent_job={id}")).Json!.AsArray();
            if (steps.FirstOrDefault(s => s!["running"]?.GetValue<bool>() == true) is { } running) step = Guid.Parse(running["id"]!.GetValue<string>());
            else await Task.Delay(100);
        }
        Assert.NotNull(step);
        // While it runs, the flow's status shows the step in progress (spec 7.3).
        var live = (await alice.Get(ws.W + $"jobs_u/get/{id}")).Json!;
        Assert.Equal("InProgress", live["flow_status"]!["modules"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(step.Value.ToString(), live["flow_status"]!["modules"]![0]!["job"]!.GetValue<string>());
        var written = false;
        for (var i = 0; i < 200 && !written; i++)
        {
            written = (await alice.Get(ws.W + $"jobs/flow/user_states/{id}/progress")).Body == "\"half\"";
            if (!written) await Task.Delay(100);
        }
        Assert.True(written, "the step should have written its custom flow state");
        Assert.Equal(200, (await alice.Post(ws.W + $"jobs_u/queue/cancel/{id}", new { reason = "enough" })).Status);

        var flow = await alice.WaitAsync(ws, id, 30);
        Assert.True(flow["canceled"]!.GetValue<bool>(), flow.ToJsonString());
        // The flow was parked, so the API completed it: its custom state is kept in its final status all the same.
        var final = (await alice.Get(ws.W + "jobs_u/get/" + id)).Json!;
        Assert.Equal("half", final["flow_status"]?["user_states"]?["progress"]?.GetValue<string>());
        var stepJob = await alice.WaitAsync(ws, step!.Value, 30);
        Assert.True(stepJob["canceled"]!.GetValue<bool>(), stepJob.ToJsonString());
        Assert.Single((await alice.Get(ws.W + $"jobs/list?parent_job={id}")).Json!.AsArray());
    }
}
