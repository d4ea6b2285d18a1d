using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>What an operator relies on (issue 7): health, readiness and metrics endpoints, one trace per job, graceful shutdown.</summary>
[Collection(ServicesCollection.Name)]
public sealed class OperationsTests(ServicesFixture services)
{
    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..10];
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url)
    {
        using var r = await Http.GetAsync(url);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<string> StoredTraceParentAsync(Guid job)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT trace_parent FROM v2_job WHERE id = @id", db);
        cmd.Parameters.AddWithValue("id", job);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Api_and_worker_answer_health_readiness_and_metrics()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ops");
        var alice = await ws.AddUserAsync("alice");
        var tag = NewTag();
        var workerPort = ServicesFixture.FreePort();
        await using var worker = await services.StartWorkerAsync(tag, extraEnv: new() { ["WORKER_HTTP_PORT"] = workerPort.ToString() });
        var workerUrl = $"http://127.0.0.1:{workerPort}";
        await alice.DeployAsync(ws, "u/alice/echo", "bash", "echo hi\n", new { tag });
        await alice.WaitAsync(ws, await alice.RunAsync(ws, "u/alice/echo"));
        var idle = NewTag();
        await alice.DeployAsync(ws, "u/alice/waits", "bash", "echo never\n", new { tag = idle }); // no worker serves it
        await alice.RunAsync(ws, "u/alice/waits");

        foreach (var url in new[] { services.BaseUrl, workerUrl })
        {
            Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(url + "/healthz"));
            var ready = await GetAsync(url + "/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.Status);
            Assert.Equal("""{"postgresql":"ok","rabbitmq":"ok","redis":"ok"}""", JsonNode.Parse(ready.Body)!["checks"]!.ToJsonString());
        }
        var api = (await GetAsync(services.BaseUrl + "/metrics")).Body;
        Assert.Contains($"wmj_jobs_enqueued_total{{tag=\"{tag}\"}} 1\n", api);
        Assert.Contains($"wmj_queue_depth{{tag=\"{idle}\"}} 1\n", api);
        Assert.Contains($"wmj_queue_oldest_age_seconds{{tag=\"{idle}\"}}", api);
        var work = (await GetAsync(workerUrl + "/metrics")).Body;
        Assert.Contains($"wmj_jobs_started_total{{tag=\"{tag}\"}} 1\n", work);
        Assert.Contains($"wmj_jobs_completed_total{{tag=\"{tag}\"}} 1\n", work);
        Assert.Contains($"wmj_jobs_duration_seconds_count{{tag=\"{tag}\"}} 1\n", work);
        Assert.Contains("# TYPE wmj_jobs_duration_seconds histogram", work);
        Assert.Contains("wmj_worker_slots_idle 4\n", work);

        // The store goes away: both say they are not ready, and why; the API answers 503; all recover by themselves.
        await services.StopPostgresAsync();
        try
        {
            var unavailable = await alice.Get(ws.W + "scripts/list");
            Assert.Equal(503, unavailable.Status);
            Assert.Equal("Service unavailable: the job store (PostgreSQL) cannot be reached; retry shortly", unavailable.Body);
            foreach (var url in new[] { services.BaseUrl, workerUrl })
            {
                var down = await GetAsync(url + "/readyz");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
                Assert.NotEqual("ok", JsonNode.Parse(down.Body)!["checks"]!["postgresql"]!.GetValue<string>());
                Assert.Equal(HttpStatusCode.OK, (await GetAsync(url + "/healthz")).Status); // alive all the same
            }
        }
        finally { await services.StartPostgresAsync(); }
        foreach (var url in new[] { services.BaseUrl, workerUrl })
        {
            var status = HttpStatusCode.ServiceUnavailable;
            for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
            {
                if (i > 0) await Task.Delay(200);
                status = (await GetAsync(url + "/readyz")).Status;
            }
            Assert.Equal(HttpStatusCode.OK, status);
        }
        Assert.Equal(200, (await alice.Get(ws.W + "scripts/list")).Status);
    }

    [Fact]
    public async Task A_job_runs_in_the_trace_of_the_request_that_enqueued_it()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ops");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/trace", "python3", "import os\ndef main():\n    return os.environ.get('TRACEPARENT')\n");
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{services.BaseUrl}/api/{ws.W}jobs/run_wait_result/p/u/alice/trace")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", alice.Token);
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var parts = JsonNode.Parse(body)!.GetValue<string>().Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal(traceId, parts[1]); // the same trace, through the store and RabbitMQ
        Assert.NotEqual("00f067aa0ba902b7", parts[2]); // a span of its own
    }

    [Fact]
    public async Task Traces_and_metrics_reach_an_otlp_collector_as_one_trace_per_flow()
    {
        await using var collector = new OtlpReceiver();
        var ws = await TestWorkspace.CreateAsync(services, "ops");
        var alice = await ws.AddUserAsync("alice");
        var tag = NewTag();
        var (api, apiUrl) = await services.StartApiAsync(services.DatabaseUrl, collector.ExporterEnv());
        await using var _ = api;
        var workerEnv = collector.ExporterEnv();
        workerEnv["BASE_INTERNAL_URL"] = apiUrl; // the job's own calls go to the exporting API too
        await using var worker = await services.StartWorkerAsync(tag, extraEnv: workerEnv);
        var value = new
        {
            modules = new object[]
            {
                FlowSteps.RawScript("a", "python3", "import wmill\ndef main():\n    wmill.set_flow_user_state('seen', 1)\n    return 1\n", tag),
                FlowSteps.RawScript("b", "bash", "echo b", tag),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/traced", summary = "", value, tag })).Status);

        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        const string callerSpan = "00f067aa0ba902b7";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiUrl}/api/{ws.W}jobs/run/f/u/alice/traced")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", alice.Token);
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        using var response = await Http.SendAsync(request);
        var flow = Guid.Parse((await response.Content.ReadAsStringAsync()).Trim('"'));
        var done = await alice.WaitAsync(ws, flow, 60);
        Assert.True(done["success"]!.GetValue<bool>(), done.ToJsonString());

        // Everything below is one trace: the enqueue request, each advance of the flow, each step with its
        // claim, arguments, run and completion, and the step's own call back to the API.
        string Missing()
        {
            var spans = collector.Spans.Where(s => s.TraceId == traceId).ToList();
            var enqueue = spans.Where(s => s.Service == "windmill-jobs-api" && s.Kind == 2 && s.ParentSpanId == callerSpan).ToList();
            if (enqueue.Count != 1) return $"one API server span under the caller's span, got {enqueue.Count}";
            if (enqueue[0].Name != "POST /api/w/{workspace}/jobs/run/f/{*path}") return $"the enqueue span named after its route, got {enqueue[0].Name}";
            var advances = spans.Where(s => s.Service == "windmill-jobs-worker" && s.Name == "flow u/alice/traced").Select(s => s.SpanId).ToHashSet();
            if (advances.Count < 2) return $"the flow's advances, got {advances.Count}";
            var steps = spans.Where(s => s.Name.StartsWith("job ") && advances.Contains(s.ParentSpanId)).ToList();
            if (steps.Count != 2) return $"two step spans, children of the flow's advances, got {steps.Count}";
            foreach (var step in steps)
            {
                var children = spans.Where(s => s.ParentSpanId == step.SpanId).Select(s => s.Name).Order().ToList();
                if (!new[] { "arguments", "claim", "completion", "run" }.All(children.Contains)) return $"{step.Name}: children {string.Join(", ", children)}";
            }
            var runs = spans.Where(s => s.Name == "run").Select(s => s.SpanId).ToHashSet();
            if (!spans.Any(s => s.Service == "windmill-jobs-api" && s.Kind == 2 && runs.Contains(s.ParentSpanId)))
                return "the step's wmill call to the API, child of its run span";
            long Max(string service, string metric) =>
                collector.Points.Where(p => p.Service == service && p.Metric == metric && p.Attributes.GetValueOrDefault("tag") == tag)
                    .Select(p => p.Value ?? 0).DefaultIfEmpty(0).Max();
            var counts = $"enqueued {Max("windmill-jobs-api", "wmj.jobs.enqueued")}, started {Max("windmill-jobs-worker", "wmj.jobs.started")}, " +
                $"completed {Max("windmill-jobs-worker", "wmj.jobs.completed")}";
            // The flow is enqueued by the API, its steps by the worker; the flow and both steps run and complete.
            return counts == "enqueued 1, started 3, completed 3" ? "" : "metrics: " + counts;
        }
        var missing = Missing();
        for (var i = 0; i < 100 && missing != ""; i++)
        {
            await Task.Delay(200);
            missing = Missing();
        }
        Assert.True(missing == "", $"the collector lacks {missing}\nspans of the trace:\n" +
            string.Join("\n", collector.Spans.Where(s => s.TraceId == traceId).Select(s => $"{s.Service} {s.Name} {s.SpanId} <- {s.ParentSpanId}")));
    }

    [Fact]
    public async Task Sigterm_lets_running_jobs_finish_and_hands_back_the_rest()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ops");
        var alice = await ws.AddUserAsync("alice");
        var tag = NewTag();
        var first = await services.StartWorkerAsync(tag, numWorkers: 2, name: "first-" + tag, 
            extraEnv: new() { ["SHUTDOWN_GRACE_PERIOD"] = "4", ["LOG_FORMAT"] = "json" });
        await alice.DeployAsync(ws, "u/alice/short", "bash", "sleep 2\necho short-done\n", new { tag });
        await alice.DeployAsync(ws, "u/alice/long", "bash", "sleep 60\necho long-done\n", new { tag });
        var shortJob = await alice.RunAsync(ws, "u/alice/short");
        var longJob = await alice.RunAsync(ws, "u/alice/long");
        var bothRunning = false;
        for (var i = 0; i < 600 && !bothRunning; i++)
        {
            if (i > 0) await Task.Delay(100);
            var running = await Task.WhenAll(new[] { shortJob, longJob }.Select(async id => (await alice.Get(ws.W + $"jobs_u/get/{id}")).Json!["running"]?.GetValue<bool>() == true));
            bothRunning = running.All(r => r);
        }
        Assert.True(bothRunning, "both jobs should be running on the first worker before it is stopped");

        first.Terminate();
        JsonObject shortDone;
        try { shortDone = await alice.WaitAsync(ws, shortJob, 30); }
        catch (TimeoutException e) { throw new TimeoutException(e.Message + "\nfirst worker:\n" + first.Output); }
        Assert.True(shortDone["success"]!.GetValue<bool>(), shortDone.ToJsonString() + "\nfirst worker:\n" + first.Output); // finished within the grace period
        Assert.Equal("first-" + tag, shortDone["worker"]!.GetValue<string>());
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30))); // a clean exit after the grace period
        await first.DisposeAsync();
        // The hand-back is logged as JSON carrying the job's id, workspace and trace (the one its enqueue started).
        var handedBack = first.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
            .Single(l => l["Message"]!.GetValue<string>().Contains("handed back to the queue"));
        var fields = handedBack["Scopes"]!.AsArray().OfType<JsonObject>().SelectMany(o => o).Where(kv => kv.Key != "Message")
            .ToDictionary(kv => kv.Key, kv => kv.Value?.ToString()); // each scope also has its own Message
        Assert.Equal(longJob.ToString(), fields["JobId"]);
        Assert.Equal(ws.Id, fields["Workspace"]);
        Assert.Equal((await StoredTraceParentAsync(longJob)).Split('-')[1], fields["TraceId"]);

        // The long job went back to the queue; another worker runs it to the end, once.
        await using var second = await services.StartWorkerAsync(tag, name: "second-" + tag);
        var longDone = await alice.WaitAsync(ws, longJob, 90);
        Assert.True(longDone["success"]!.GetValue<bool>(), longDone.ToJsonString());
        Assert.Equal("second-" + tag, longDone["worker"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_flow_whose_custom_state_redis_lost_fails_clearly_instead_of_reading_null()
    {
        var ws = await TestWorkspace.CreateAsync(services, "ops");
        var alice = await ws.AddUserAsync("alice");
        var value = new
        {
            modules = new object[]
            {
                FlowSteps.RawScript("a", "python3", "import wmill, time\ndef main():\n    wmill.set_flow_user_state('n', 42)\n    time.sleep(4)\n    return 1\n"),
                FlowSteps.RawScript("b", "python3", "import wmill\ndef main():\n    return wmill.get_flow_user_state('n')\n"),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/stateful", summary = "", value })).Status);
        var flow = Guid.Parse((await alice.Post(ws.W + "jobs/run/f/u/alice/stateful", new { })).Body.Trim('"'));
        // Once the state is written, Redis restarts empty while step a sleeps.
        for (var i = 0; i < 100; i++)
        {
            var steps = (await alice.Get(ws.W + $"jobs_u/get/{flow}")).Json!["flow_status"]?["modules"]?[0]?["type"]?.GetValue<string>();
            if (steps == "InProgress") break;
            await Task.Delay(100);
        }
        await Task.Delay(1500);
        await services.RestartRedisAsync(1);
        var done = await alice.WaitAsync(ws, flow, 60);
        Assert.False(done["success"]!.GetValue<bool>(), done.ToJsonString());
        Assert.Contains("was lost (Redis restarted without persistence)", done["result"]!.ToJsonString());
    }
}
