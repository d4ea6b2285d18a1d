using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Schedules (spec 8): routes, ticks with the schedule context, one job per tick, disable and missed ticks.</summary>
[Collection(ServicesCollection.Name)]
public sealed class SchedulesTests(ServicesFixture services)
{
    private async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Ticks_run_with_the_schedule_context_once_each()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/tick", "bash", "echo \"$WM_SCHEDULE_PATH|$WM_STATE_PATH|$WM_PERMISSIONED_AS\"");
        var r = await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/every_second", schedule = "* * * * * *", timezone = "Europe/Paris", script_path = "u/alice/tick", is_flow = false, args = new { },
        });
        Assert.Equal(201, r.Status);
        await Task.Delay(4500);
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/every_second", new { enabled = false })).Status);

        var jobs = (await alice.Get(ws.W + "jobs/list?schedule_path=u/alice/every_second&per_page=100")).Json!.AsArray();
        var done = jobs.Where(j => j!["type"]!.GetValue<string>() == "CompletedJob").ToList();
        Assert.InRange(done.Count, 3, 6);
        Assert.All(done, j =>
        {
            Assert.Equal("schedule-u-alice-every_second", j!["created_by"]!.GetValue<string>());
            Assert.Equal("\"u/alice/every_second|u/alice/tick/schedule-u-alice-every_second|u/alice\"", j["result"]!.ToJsonString());
        });
        // Exactly one job per tick, and nothing left pending once disabled.
        Assert.Equal(0, await ScalarAsync("""
            SELECT count(*) FROM (SELECT tick_at FROM schedule_tick WHERE workspace_id = @w GROUP BY tick_at HAVING count(*) > 1) d
            """, ("w", ws.Id)));
        Assert.Equal(0, await ScalarAsync("""
            SELECT count(*) FROM v2_job_queue q JOIN v2_job j ON j.id = q.id WHERE j.workspace_id = @w AND NOT q.running
            """, ("w", ws.Id)));
        Assert.Equal(done.Count, jobs.Count(j => j!["type"]!.GetValue<string>() == "CompletedJob"));
    }

    [Fact]
    public async Task A_tick_missed_while_everything_was_down_runs_once_not_once_per_missed_tick()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/hourly_job", "bash", "echo ran");
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/hourly", schedule = "0 0 * * * *", timezone = "UTC", script_path = "u/alice/hourly_job", is_flow = false, args = new { },
        })).Status);
        // As if the system had been down for three hours: the pending tick is three hours overdue.
        await using (var db = new NpgsqlConnection(services.NpgsqlConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                WITH t AS (UPDATE schedule_tick SET tick_at = tick_at - interval '4 hours' WHERE workspace_id = @w RETURNING job_id)
                UPDATE v2_job_queue SET scheduled_for = scheduled_for - interval '4 hours', created_at = created_at - interval '5 hours'
                WHERE id IN (SELECT job_id FROM t);
                SELECT pg_notify('wmj_future_job', '');
                """, db);
            cmd.Parameters.AddWithValue("w", ws.Id);
            await cmd.ExecuteNonQueryAsync();
        }
        for (var i = 0; i < 100 && await ScalarAsync("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w", ("w", ws.Id)) == 0; i++)
            await Task.Delay(100);
        await Task.Delay(1500);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w", ("w", ws.Id)));
        // The next tick is the next hour from now, alone.
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM schedule_tick WHERE workspace_id = @w AND tick_at > now()", ("w", ws.Id)));
        Assert.Equal(1, await ScalarAsync("""
            SELECT count(*) FROM schedule_tick WHERE workspace_id = @w AND tick_at > now() AND tick_at <= now() + interval '1 hour'
            """, ("w", ws.Id)));
    }

    [Fact]
    public async Task Routes_show_the_schedule_and_bad_input_is_400()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        await alice.DeployAsync(ws, "u/alice/s", "python3", "def main(n: int):\n    return n\n");
        object Body(string cron, string tz = "UTC", object? args = null, string script = "u/alice/s") =>
            new { path = "u/alice/sched", schedule = cron, timezone = tz, script_path = script, is_flow = false, args = args ?? new { n = 1 } };

        Assert.Contains("invalid cron '* * * * *'", (await alice.Post(ws.W + "schedules/create", Body("* * * * *"))).Body);
        Assert.Contains("unknown time zone 'Nowhere/City'", (await alice.Post(ws.W + "schedules/create", Body("0 0 * * * *", "Nowhere/City"))).Body);
        var badArgs = await alice.Post(ws.W + "schedules/create", Body("0 0 * * * *", args: new { n = "x" }));
        Assert.Equal(400, badArgs.Status);
        Assert.Contains("n", badArgs.Body);
        Assert.Equal(404, (await alice.Post(ws.W + "schedules/create", Body("0 0 * * * *", script: "u/alice/missing"))).Status);
        Assert.Equal("false", (await alice.Get(ws.W + "schedules/exists/u/alice/sched")).Body);

        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", Body("0 0 9 * * MON-FRI", "Europe/Paris"))).Status);
        var got = (await alice.Get(ws.W + "schedules/get/u/alice/sched")).Json!;
        Assert.Equal("0 0 9 * * MON-FRI", got["schedule"]!.GetValue<string>());
        Assert.Equal("Europe/Paris", got["timezone"]!.GetValue<string>());
        Assert.True(got["enabled"]!.GetValue<bool>());
        Assert.Equal("alice", got["edited_by"]!.GetValue<string>());
        Assert.Single((await alice.Get(ws.W + "schedules/list")).Json!.AsArray());
        Assert.Equal(401, (await bob.Get(ws.W + "schedules/get/u/alice/sched")).Status);
        Assert.Empty((await bob.Get(ws.W + "schedules/list")).Json!.AsArray());
        // One pending tick, at the next weekday 09:00 in Paris; deleting the schedule removes it.
        Assert.Equal(1, await ScalarAsync("""
            SELECT count(*) FROM v2_job_queue q JOIN v2_job j ON j.id = q.id
            WHERE j.workspace_id = @w AND j.trigger = 'u/alice/sched' AND extract(hour FROM q.scheduled_for AT TIME ZONE 'Europe/Paris') = 9
            """, ("w", ws.Id)));
        Assert.Equal(200, (await alice.Delete(ws.W + "schedules/delete/u/alice/sched")).Status);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM v2_job WHERE workspace_id = @w AND trigger = 'u/alice/sched'", ("w", ws.Id)));

        var preview = (await alice.Post("schedules/preview", new { schedule = "0 0 9 * * MON", timezone = "Europe/Paris" })).Json!.AsArray();
        Assert.Equal(10, preview.Count);
        Assert.All(preview, t => Assert.Equal(DayOfWeek.Monday, DateTime.Parse(t!.GetValue<string>()).ToUniversalTime().DayOfWeek));
    }
}
