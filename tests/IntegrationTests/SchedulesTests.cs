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
        // Every job is the job of its own tick (one per second at most), and nothing is left pending once disabled.
        Assert.Equal(0, await ScalarAsync("""
            SELECT count(*) FROM v2_job j LEFT JOIN schedule_tick t ON t.job_id = j.id WHERE j.workspace_id = @w AND t.job_id IS NULL
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
        // The overdue tick, over an hour old, was pruned when the next was pushed: the table does not grow for ever.
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM schedule_tick WHERE workspace_id = @w", ("w", ws.Id)));
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

    private async Task<List<System.Text.Json.Nodes.JsonNode>> CompletedRunsAsync(ApiClient who, TestWorkspace ws, string query)
    {
        var jobs = (await who.Get(ws.W + "jobs/list?per_page=200&" + query)).Json!.AsArray();
        return jobs.Where(j => j!["type"]!.GetValue<string>() == "CompletedJob").Select(j => j!).ToList();
    }

    [Fact]
    public async Task On_failure_runs_at_the_nth_failure_in_a_row_and_on_recovery_after_the_first_success()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        // Fails on its first two runs (counted in its state), succeeds afterwards.
        await alice.DeployAsync(ws, "u/alice/flaky", "python3",
            "import wmill\ndef main():\n    n = (wmill.get_state() or 0) + 1\n    wmill.set_state(n)\n    if n <= 2:\n        raise Exception(f'failure {n}')\n    return n\n");
        await alice.DeployAsync(ws, "u/alice/on_failure", "python3",
            "def main(schedule_path, failed_times, error, team):\n    return [schedule_path, failed_times, error['message'], team]\n");
        await alice.DeployAsync(ws, "u/alice/on_recovery", "python3",
            "def main(error_job_id, success_result, error):\n    return [error_job_id, success_result, error['message']]\n");
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/flaky_every_second", schedule = "* * * * * *", timezone = "UTC", script_path = "u/alice/flaky", is_flow = false,
            args = new { }, on_failure = "script/u/alice/on_failure", on_failure_times = 2, on_failure_exact = true,
            on_failure_extra_args = new { team = "data" }, on_recovery = "script/u/alice/on_recovery",
        })).Status);
        for (var i = 0; i < 100 && (await CompletedRunsAsync(alice, ws, "script_path_exact=u/alice/on_recovery")).Count == 0; i++)
            await Task.Delay(100);
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/flaky_every_second", new { enabled = false })).Status);
        await Task.Delay(1500);

        var onFailure = await CompletedRunsAsync(alice, ws, "script_path_exact=u/alice/on_failure");
        var failed = Assert.Single(onFailure);
        Assert.Equal("""["u/alice/flaky_every_second",2,"Exception: failure 2","data"]""", failed["result"]!.ToJsonString());
        var onRecovery = await CompletedRunsAsync(alice, ws, "script_path_exact=u/alice/on_recovery");
        var recovered = Assert.Single(onRecovery);
        Assert.Equal(3, recovered["result"]![1]!.GetValue<int>());
        Assert.Equal("Exception: failure 2", recovered["result"]![2]!.GetValue<string>());
    }

    [Fact]
    public async Task No_flow_overlap_skips_ticks_while_the_previous_run_is_running()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        var value = new
        {
            modules = new object[]
            {
                new { id = "slow", value = new { type = "rawscript", language = "bash", content = "sleep 2.5\necho done", input_transforms = new { } } },
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/slow_flow", summary = "", value })).Status);
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/no_overlap", schedule = "* * * * * *", timezone = "UTC", script_path = "u/alice/slow_flow", is_flow = true,
            args = new { }, no_flow_overlap = true,
        })).Status);
        await Task.Delay(5000);
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/no_overlap", new { enabled = false })).Status);
        await Task.Delay(3500);

        var runs = await CompletedRunsAsync(alice, ws, "schedule_path=u/alice/no_overlap&job_kinds=flow");
        var skipped = runs.Where(r => r["status"]!.GetValue<string>() == "skipped").ToList();
        var ran = runs.Where(r => r["status"]!.GetValue<string>() == "success")
            .Select(r => (Start: r["started_at"]!.GetValue<DateTime>(), End: r["completed_at"]!.GetValue<DateTime>())).OrderBy(r => r.Start).ToList();
        Assert.NotEmpty(skipped);
        Assert.NotEmpty(ran);
        for (var i = 1; i < ran.Count; i++) Assert.True(ran[i].Start >= ran[i - 1].End, "two runs of the flow overlapped");
    }

    [Fact]
    public async Task With_three_api_replicas_each_tick_still_runs_once()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/tick", "bash", "echo tick");
        var replicas = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => services.StartApiAsync(services.DatabaseUrl)));
        var elapsed = TimeSpan.Zero;
        try
        {
            var clients = replicas.Select(r => alice.At(r.BaseUrl)).Append(alice).ToList();
            var started = DateTime.UtcNow;
            Assert.Equal(201, (await clients[0].Post(ws.W + "schedules/create", new
            {
                path = "u/alice/replicated", schedule = "* * * * * *", timezone = "UTC", script_path = "u/alice/tick", is_flow = false, args = new { },
            })).Status);
            // Every replica re-pushes the schedule at once, twice: they race for the same ticks.
            for (var round = 0; round < 2; round++)
            {
                await Task.WhenAll(clients.Select(c => c.Post(ws.W + "schedules/setenabled/u/alice/replicated", new { enabled = true })));
                await Task.Delay(1500);
            }
            await Task.Delay(1500);
            Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/replicated", new { enabled = false })).Status);
            elapsed = DateTime.UtcNow - started;
            await Task.Delay(1000);
        }
        finally
        {
            foreach (var (process, _) in replicas) await process.DisposeAsync();
        }
        // At most one run per second that passed, and every job is the job of its tick (none pushed beside the tick key).
        Assert.InRange(await ScalarAsync("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w", ("w", ws.Id)), 2, (long)elapsed.TotalSeconds + 1);
        Assert.Equal(0, await ScalarAsync("""
            SELECT count(*) FROM v2_job j LEFT JOIN schedule_tick t ON t.job_id = j.id WHERE j.workspace_id = @w AND t.job_id IS NULL
            """, ("w", ws.Id)));
    }

    [Fact]
    public async Task A_scheduled_flow_gives_its_steps_the_schedule_context_and_state_paths()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        var value = new
        {
            modules = new object[]
            {
                new
                {
                    id = "watch", value = new
                    {
                        type = "rawscript", language = "python3", input_transforms = new { },
                        content = "import os\ndef main():\n    return [os.environ[k] for k in ['WM_SCHEDULE_PATH', 'WM_STATE_PATH', 'WM_FLOW_PATH', 'WM_PERMISSIONED_AS']]\n",
                    },
                },
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/daily", summary = "", value })).Status);
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/every5", schedule = "* * * * * *", timezone = "UTC", script_path = "u/alice/daily", is_flow = true, args = new { },
        })).Status);
        List<System.Text.Json.Nodes.JsonNode> runs = [];
        for (var i = 0; i < 100 && runs.Count == 0; i++)
        {
            await Task.Delay(100);
            runs = await CompletedRunsAsync(alice, ws, "schedule_path=u/alice/every5&job_kinds=flow");
        }
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/every5", new { enabled = false })).Status);
        var run = runs.First();
        Assert.Equal("schedule-u-alice-every5", run["created_by"]!.GetValue<string>());
        Assert.Equal("""["u/alice/every5","u/alice/daily/watch_schedule-u-alice-every5","u/alice/daily","u/alice"]""", run["result"]!.ToJsonString());
    }

    [Fact]
    public async Task Paused_until_delays_the_first_tick_and_retry_wraps_a_script_in_a_one_step_flow()
    {
        var ws = await TestWorkspace.CreateAsync(services, "sch");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/job", "python3", "import wmill\ndef main(x: int):\n    n = (wmill.get_flow_user_state('n') or 0) + 1\n    wmill.set_flow_user_state('n', n)\n    if n < 2:\n        raise Exception('first attempt fails')\n    return x\n");
        var pausedUntil = DateTime.UtcNow.AddDays(3);
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/paused", schedule = "0 0 * * * *", timezone = "UTC", script_path = "u/alice/job", is_flow = false, args = new { x = 7 },
            paused_until = pausedUntil,
        })).Status);
        Assert.Equal(1, await ScalarAsync("""
            SELECT count(*) FROM schedule_tick WHERE workspace_id = @w AND path = 'u/alice/paused' AND tick_at > @p
            """, ("w", ws.Id), ("p", pausedUntil)));

        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/retried", schedule = "* * * * * *", timezone = "UTC", script_path = "u/alice/job", is_flow = false, args = new { x = 7 },
            retry = new { constant = new { attempts = 2, seconds = 0 } },
        })).Status);
        List<System.Text.Json.Nodes.JsonNode> runs = [];
        for (var i = 0; i < 100 && runs.Count == 0; i++)
        {
            await Task.Delay(100);
            runs = await CompletedRunsAsync(alice, ws, "schedule_path=u/alice/retried&job_kinds=flow");
        }
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/retried", new { enabled = false })).Status);
        var run = runs.First();
        Assert.True(run["success"]!.GetValue<bool>(), run.ToJsonString());
        Assert.Equal(7, run["result"]!.GetValue<int>());
    }
}
