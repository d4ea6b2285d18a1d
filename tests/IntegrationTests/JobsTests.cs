using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Running scripts through the queue and real workers (spec 6).</summary>
[Collection(ServicesCollection.Name)]
public sealed class JobsTests(ServicesFixture services) : IAsyncLifetime
{
    private TestWorkspace _ws = null!;
    private ApiClient _alice = null!;

    public async Task InitializeAsync()
    {
        _ws = await TestWorkspace.CreateAsync(services, "jobs");
        _alice = await _ws.AddUserAsync("alice");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string W => _ws.W;

    [Fact]
    public async Task Python_result_is_mains_return_value()
    {
        await _alice.DeployAsync(_ws, "u/alice/py", "python3", "def main(name: str, n: int = 2):\n    return {'hello': name, 'twice': n * 2}\n");
        var r = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/py", new { name = "bob", n = 5 });
        Assert.Equal(200, r.Status);
        Assert.Equal("""{"hello":"bob","twice":10}""", r.Json!.ToJsonString());
    }

    [Fact]
    public async Task Run_returns_the_job_uuid_as_text_and_the_job_completes()
    {
        await _alice.DeployAsync(_ws, "u/alice/one", "python3", "def main():\n    return 1\n");
        var r = await _alice.Post(W + "jobs/run/p/u/alice/one", new { });
        Assert.Equal(201, r.Status);
        var id = Guid.Parse(r.Body);
        var job = await _alice.WaitAsync(_ws, id);
        Assert.Equal("CompletedJob", job["type"]!.GetValue<string>());
        Assert.True(job["success"]!.GetValue<bool>());
        Assert.Equal("1", (await _alice.Get(W + $"jobs_u/completed/get_result/{id}")).Body);
        Assert.Equal($"\"{id}\"", (await _alice.Get(W + $"jobs_u/get_root_job_id/{id}")).Body);
    }

    [Fact]
    public async Task Bash_gets_positional_arguments_and_returns_the_last_line()
    {
        await _alice.DeployAsync(_ws, "u/alice/sh", "bash", "name=\"$1\"\ngreeting=\"${2:-hello}\"\necho \"$greeting $name\"\n");
        var r = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/sh", new { name = "ada" });
        Assert.Equal("\"hello ada\"", r.Body);
    }

    [Fact]
    public async Task Bash_result_json_wins_over_the_last_line()
    {
        await _alice.DeployAsync(_ws, "u/alice/shj", "bash", "echo '{\"a\": [1, 2]}' > result.json\necho ignored\n");
        Assert.Equal("""{"a":[1,2]}""", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/shj", new { })).Json!.ToJsonString());
    }

    [Fact]
    public async Task Preview_runs_inline_code_and_run_by_hash_runs_that_version()
    {
        var preview = await _alice.Post(W + "jobs/run/preview", new { content = "def main(x):\n    return x + 1\n", language = "python3", args = new { x = 41 } });
        Assert.Equal(201, preview.Status);
        var job = await _alice.WaitAsync(_ws, Guid.Parse(preview.Body));
        Assert.Equal(42, job["result"]!.GetValue<int>());
        Assert.Equal("preview", job["job_kind"]!.GetValue<string>());

        var h1 = await _alice.DeployAsync(_ws, "u/alice/v", "bash", "echo one");
        await _alice.DeployAsync(_ws, "u/alice/v", "bash", "echo two", new { parent_hash = h1 });
        Assert.Equal("\"one\"", (await _alice.Post(W + "jobs/run_wait_result/h/" + h1, new { })).Body);
        Assert.Equal("\"two\"", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/v", new { })).Body);
    }

    [Fact]
    public async Task Unknown_script_or_hash_is_404_and_bad_arguments_are_400()
    {
        Assert.Equal(404, (await _alice.Post(W + "jobs/run/p/u/alice/nope", new { })).Status);
        Assert.Equal(404, (await _alice.Post(W + "jobs/run/h/0123456789abcdef", new { })).Status);
        await _alice.DeployAsync(_ws, "u/alice/typed", "python3", "def main(n: int):\n    return n\n");
        var missing = await _alice.Post(W + "jobs/run/p/u/alice/typed", new { });
        Assert.Equal(400, missing.Status);
        Assert.Contains("argument n", missing.Body);
        var wrong = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/typed", new { n = "seven" });
        Assert.Equal(400, wrong.Status);
        Assert.Contains("argument n of u/alice/typed must be an integer", wrong.Body);
    }

    [Fact]
    public async Task Failure_is_422_with_the_error_and_last_stderr_lines()
    {
        await _alice.DeployAsync(_ws, "u/alice/fail", "bash", "echo working\necho 'disk full on /dev/sda1' >&2\nexit 3\n");
        var r = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/fail", new { });
        Assert.Equal(422, r.Status);
        var message = r.Json!["error"]!["message"]!.GetValue<string>();
        Assert.Contains("exited with code 3", message);
        Assert.Contains("disk full on /dev/sda1", message);

        await _alice.DeployAsync(_ws, "u/alice/pyfail", "python3", "def main():\n    raise ValueError('bad input row 7')\n");
        var py = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/pyfail", new { });
        Assert.Equal(422, py.Status);
        Assert.Equal("ValueError", py.Json!["error"]!["name"]!.GetValue<string>());
        Assert.Contains("bad input row 7", py.Json!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Job_environment_has_the_wm_variables_and_nothing_from_the_worker()
    {
        await _alice.DeployAsync(_ws, "u/alice/env", "bash", "env > result.txt\npython3 -c \"import json;print(json.dumps(dict(l.split('=',1) for l in open('result.txt').read().splitlines() if '=' in l)))\" > result.json\n");
        var id = await _alice.RunAsync(_ws, "u/alice/env");
        var job = await _alice.WaitAsync(_ws, id);
        var env = job["result"]!.AsObject();
        Assert.Equal(_ws.Id, env["WM_WORKSPACE"]!.GetValue<string>());
        Assert.Equal(id.ToString(), env["WM_JOB_ID"]!.GetValue<string>());
        Assert.Equal("u/alice/env", env["WM_JOB_PATH"]!.GetValue<string>());
        Assert.Equal("alice", env["WM_USERNAME"]!.GetValue<string>());
        Assert.Equal("u/alice", env["WM_PERMISSIONED_AS"]!.GetValue<string>());
        Assert.Equal(_ws.EmailOf("alice"), env["WM_EMAIL"]!.GetValue<string>());
        Assert.Equal("u/alice/env/user", env["WM_STATE_PATH"]!.GetValue<string>());
        Assert.Equal(env["WM_STATE_PATH"]!.GetValue<string>(), env["WM_STATE_PATH_NEW"]!.GetValue<string>());
        Assert.StartsWith("jwt_", env["WM_TOKEN"]!.GetValue<string>());
        Assert.Equal(services.BaseUrl, env["BASE_INTERNAL_URL"]!.GetValue<string>());
        Assert.StartsWith("u_alice_env/manual/", env["WM_OBJECT_PATH"]!.GetValue<string>());
        foreach (var leaked in new[] { "DATABASE_URL", "RABBITMQ_URL", "REDIS_URL", "SUPERADMIN_SECRET" })
            Assert.False(env.ContainsKey(leaked), leaked + " leaked into the job");
    }

    [Fact]
    public async Task State_persists_across_runs_from_python_and_bash()
    {
        await _alice.DeployAsync(_ws, "u/alice/counter", "python3", "import wmill\ndef main():\n    n = (wmill.get_state() or 0) + 1\n    wmill.set_state(n)\n    return n\n");
        for (var i = 1; i <= 3; i++)
            Assert.Equal(i.ToString(), (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/counter", new { })).Body);
        Assert.Equal("3", (await _alice.Get(W + "resources/get_value/u/alice/counter/user")).Body);

        const string bash = """
            state=$(curl -s -H "Authorization: Bearer $WM_TOKEN" "$BASE_INTERNAL_URL/api/w/$WM_WORKSPACE/resources/get_value_interpolated/$WM_STATE_PATH")
            case "$state" in ''|Not*) state=0 ;; esac
            next=$((state + 10))
            curl -s -X POST -H "Authorization: Bearer $WM_TOKEN" -H 'content-type: application/json' \
              "$BASE_INTERNAL_URL/api/w/$WM_WORKSPACE/resources/create?update_if_exists=true" \
              -d "{\"path\":\"$WM_STATE_PATH\",\"value\":$next,\"resource_type\":\"state\"}" > /dev/null
            echo $next
            """;
        await _alice.DeployAsync(_ws, "u/alice/bashstate", "bash", bash);
        Assert.Equal("\"10\"", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/bashstate", new { })).Body);
        Assert.Equal("\"20\"", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/bashstate", new { })).Body);
    }

    [Fact]
    public async Task Concurrent_first_set_state_from_two_jobs_both_succeed()
    {
        await _alice.DeployAsync(_ws, "u/alice/racer", "python3", "import wmill\ndef main(v: int):\n    wmill.set_state(v)\n    return v\n");
        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _alice.Post(W + "jobs/run_wait_result/p/u/alice/racer", new { v = i })));
        Assert.All(runs, r => Assert.Equal(200, r.Status));
        Assert.InRange(int.Parse((await _alice.Get(W + "resources/get_value/u/alice/racer/user")).Body), 0, 5);
    }

    [Fact]
    public async Task Jobs_act_with_their_creators_permissions()
    {
        var bob = await _ws.AddUserAsync("bob");
        await bob.Post(W + "variables/create", new { path = "u/bob/secret", value = "bobs-secret", is_secret = true });
        await _alice.Post(W + "variables/create", new { path = "u/alice/mine", value = "alices", is_secret = true });
        await _alice.DeployAsync(_ws, "u/alice/peek", "python3", "import wmill\ndef main(path: str):\n    return wmill.get_variable(path)\n");
        Assert.Equal("\"alices\"", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/peek", new { path = "u/alice/mine" })).Body);
        var denied = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/peek", new { path = "u/bob/secret" });
        Assert.Equal(422, denied.Status);
        Assert.Contains("401", denied.Body);
        Assert.DoesNotContain("bobs-secret", denied.Body);
    }

    [Fact]
    public async Task Var_and_res_arguments_are_resolved_with_the_jobs_identity()
    {
        var bob = await _ws.AddUserAsync("bob");
        await _alice.Post(W + "variables/create", new { path = "u/alice/pw", value = "alice-pw", is_secret = true });
        await _alice.Post(W + "resources/create", new { path = "u/alice/db", resource_type = "state", value = new { password = "$var:u/alice/pw", port = 5432 } });
        await bob.Post(W + "resources/create", new { path = "u/bob/db", resource_type = "state", value = new { password = "x" } });
        await _alice.DeployAsync(_ws, "u/alice/echo", "python3", "def main(secret: str, db: dict):\n    return {'secret': secret, 'db': db}\n");
        var ok = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/echo", new { secret = "$var:u/alice/pw", db = "$res:u/alice/db" });
        Assert.Equal(200, ok.Status);
        Assert.Equal("alice-pw", ok.Json!["secret"]!.GetValue<string>());
        Assert.Equal("alice-pw", ok.Json!["db"]!["password"]!.GetValue<string>());
        var bad = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/echo", new { secret = "x", db = "$res:u/bob/db" });
        Assert.Equal(422, bad.Status);
        Assert.Contains("Resource u/bob/db not found for `db`", bad.Body);
    }

    [Fact]
    public async Task Wm_strings_in_a_resource_resolve_to_the_jobs_context()
    {
        await _alice.Post(W + "resources/create", new
        {
            path = "u/alice/ctx", resource_type = "state",
            value = new { job = "$WM_JOB_ID", path = "$WM_JOB_PATH", state = "$WM_STATE_PATH", unknown = "$WM_NOT_A_VARIABLE" },
        });
        await _alice.DeployAsync(_ws, "u/alice/ctxjob", "python3", "def main(ctx: dict):\n    return ctx\n");
        var id = await _alice.RunAsync(_ws, "u/alice/ctxjob", new { ctx = "$res:u/alice/ctx" });
        var result = (await _alice.WaitAsync(_ws, id))["result"]!;
        Assert.Equal(id.ToString(), result["job"]!.GetValue<string>());
        Assert.Equal("u/alice/ctxjob", result["path"]!.GetValue<string>());
        Assert.Equal("u/alice/ctxjob/user", result["state"]!.GetValue<string>());
        Assert.Equal("$WM_NOT_A_VARIABLE", result["unknown"]!.GetValue<string>());
        // Without a job there is no context: the strings stay as written.
        Assert.Equal("$WM_JOB_ID", (await _alice.Get(W + "resources/get_value_interpolated/u/alice/ctx")).Json!["job"]!.GetValue<string>());
        Assert.Equal(404, (await _alice.Get(W + $"resources/get_value_interpolated/u/alice/ctx?job_id={Guid.NewGuid()}")).Status);
    }

    [Fact]
    public async Task Job_can_run_another_script_and_wait_for_it()
    {
        await _alice.DeployAsync(_ws, "u/alice/child", "python3", "def main(x: int):\n    return x * 3\n");
        await _alice.DeployAsync(_ws, "u/alice/parent", "python3", "import wmill\ndef main():\n    return wmill.run_script(path='u/alice/child', args={'x': 7})\n");
        Assert.Equal("21", (await _alice.Post(W + "jobs/run_wait_result/p/u/alice/parent", new { })).Body);
    }

    [Fact]
    public async Task Logs_are_readable_while_the_job_runs()
    {
        await _alice.DeployAsync(_ws, "u/alice/slow", "bash", "echo step-one-done\nsleep 4\necho step-two-done\n");
        var id = await _alice.RunAsync(_ws, "u/alice/slow");
        string logs = "";
        for (var i = 0; i < 60 && !logs.Contains("step-one-done"); i++)
        {
            await Task.Delay(100);
            logs = (await _alice.Get(W + $"jobs_u/get_logs/{id}")).Body;
        }
        Assert.Contains("step-one-done", logs);
        Assert.DoesNotContain("step-two-done", logs);
        var running = (await _alice.Get(W + $"jobs_u/get/{id}")).Json!;
        Assert.Equal("QueuedJob", running["type"]!.GetValue<string>());
        Assert.True(running["running"]!.GetValue<bool>());
        var job = await _alice.WaitAsync(_ws, id);
        Assert.Contains("step-two-done", job["logs"]!.GetValue<string>());
    }

    [Fact]
    public async Task Timeout_kills_the_process_tree_and_cancels_the_job()
    {
        var marker = Random.Shared.Next(1000, 9999);
        await _alice.DeployAsync(_ws, "u/alice/hang", "bash", $"(sleep 3{marker}.5 &)\nsleep 3{marker}\n");
        var r = await _alice.Post(W + "jobs/run_wait_result/p/u/alice/hang?timeout=2", new { });
        Assert.Equal(422, r.Status);
        Assert.Equal("Job canceled: duration > 2 by timeout", r.Json!["error"]!["message"]!.GetValue<string>());
        Assert.Equal("Canceled", r.Json!["error"]!["name"]!.GetValue<string>());
        await Task.Delay(500);
        var ps = ChildProcess.Start("pgrep", ["-f", $"sleep 3{marker}"], new Dictionary<string, string?>());
        await ps.WaitForExitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("", ps.Output.Trim()); // nothing of the job's process tree is left
    }

    [Fact]
    public async Task Cancel_works_for_queued_and_running_jobs()
    {
        await _alice.DeployAsync(_ws, "u/alice/long", "bash", "sleep 30\n");
        var queued = await _alice.RunAsync(_ws, "u/alice/long", query: "?scheduled_in_secs=60");
        Assert.Equal(200, (await _alice.Post(W + $"jobs_u/queue/cancel/{queued}", new { reason = "not needed" })).Status);
        var q = await _alice.WaitAsync(_ws, queued, 10);
        Assert.Equal("canceled", q["status"]!.GetValue<string>());
        Assert.Equal("Job canceled: not needed by alice", q["result"]!["error"]!["message"]!.GetValue<string>());

        var running = await _alice.RunAsync(_ws, "u/alice/long");
        for (var i = 0; i < 100 && (await _alice.Get(W + $"jobs_u/get/{running}")).Json!["running"]?.GetValue<bool>() != true; i++) await Task.Delay(100);
        Assert.Equal(200, (await _alice.Post(W + $"jobs_u/queue/cancel/{running}", new { })).Status);
        var r = await _alice.WaitAsync(_ws, running, 15);
        Assert.Equal("canceled", r["status"]!.GetValue<string>());
        Assert.Equal("alice", r["canceled_by"]!.GetValue<string>());
        Assert.True(r["duration_ms"]!.GetValue<long>() < 15_000);
    }

    [Fact]
    public async Task Future_jobs_start_when_due_not_before()
    {
        await _alice.DeployAsync(_ws, "u/alice/now", "python3", "def main():\n    return 'ran'\n");
        var id = await _alice.RunAsync(_ws, "u/alice/now", query: "?scheduled_in_secs=3");
        await Task.Delay(1500);
        var early = (await _alice.Get(W + $"jobs_u/get/{id}")).Json!;
        Assert.Equal("QueuedJob", early["type"]!.GetValue<string>());
        Assert.False(early["running"]!.GetValue<bool>());
        var job = await _alice.WaitAsync(_ws, id, 20);
        var scheduled = DateTime.Parse(early["scheduled_for"]!.GetValue<string>()).ToUniversalTime();
        var started = DateTime.Parse(job["started_at"]!.GetValue<string>()).ToUniversalTime();
        Assert.True(started >= scheduled, $"started {started:O} before due {scheduled:O}");
        Assert.True(started - scheduled < TimeSpan.FromSeconds(3), $"started {started - scheduled} late");
    }

    [Fact]
    public async Task List_filters_and_queue_count()
    {
        await _alice.DeployAsync(_ws, "u/alice/listed", "bash", "echo x");
        var done = await _alice.RunAsync(_ws, "u/alice/listed");
        await _alice.WaitAsync(_ws, done);
        var future = await _alice.RunAsync(_ws, "u/alice/listed", query: "?scheduled_in_secs=300");
        var list = (await _alice.Get(W + "jobs/list?script_path_exact=u/alice/listed")).Json!.AsArray();
        Assert.Equal(2, list.Count);
        Assert.Single((await _alice.Get(W + "jobs/list?script_path_exact=u/alice/listed&success=true")).Json!.AsArray());
        Assert.Single((await _alice.Get(W + "jobs/queue/list?script_path_start=u/alice/list")).Json!.AsArray());
        Assert.True((await _alice.Get(W + "jobs/queue/count")).Json!["database_length"]!.GetValue<long>() >= 1);
        var maybe = (await _alice.Get(W + $"jobs_u/completed/get_result_maybe/{future}")).Json!;
        Assert.False(maybe["completed"]!.GetValue<bool>());
        Assert.False(maybe["started"]!.GetValue<bool>());
        await _alice.Post(W + $"jobs_u/queue/cancel/{future}", new { });
    }

    [Fact]
    public async Task Other_users_cannot_see_my_jobs_and_job_tokens_die_with_the_job()
    {
        var bob = await _ws.AddUserAsync("bob");
        await _alice.DeployAsync(_ws, "u/alice/tok", "bash", "echo $WM_TOKEN");
        var id = await _alice.RunAsync(_ws, "u/alice/tok");
        var job = await _alice.WaitAsync(_ws, id);
        Assert.Equal(401, (await bob.Get(W + $"jobs_u/get/{id}")).Status);
        Assert.DoesNotContain(bob.Get(W + "jobs/list").Result.Json!.AsArray(), j => j!["id"]!.GetValue<string>() == id.ToString());
        var token = job["result"]!.GetValue<string>();
        await Task.Delay(2500);
        var after = await _alice.As(token).Get(W + "users/whoami");
        Assert.Equal(401, after.Status);
        Assert.Contains("expired with its job", after.Body);
    }
}
