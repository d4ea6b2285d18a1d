// Production benchmarks of issue 7, against a running API, workers and PostgreSQL (loopback only):
//   jobs  --count N --concurrency C --tag T [--sleep-ms S] [--ran-file F] [--label L]
//         N bash jobs sleeping S ms (default 100) on tag T, enqueued over HTTP by C clients (retrying while the API
//         answers 503 or cannot be reached), then waited for. Prints throughput from first start to last completion
//         and a fault report: completed, failed, never completed, completed twice, runs (a killed job runs again).
//   flows --count N --concurrency C [--label L]
//         N flows whose first step sets custom flow state (Redis) and second reads it back: correct, failed clearly,
//         wrong (silently), never completed.
//   load  --clients N --seconds S
//         N clients mixing enqueue (run/p), get_result_maybe and resource reads for S seconds: requests/s, error
//         rate, latency p50/p99 per kind.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

var bench = BenchArgs.Parse(args);
var (mode, opts) = (bench.Mode, bench.Options);
var db = bench.Database;
var http = bench.ApiClient(256, TimeSpan.FromSeconds(60));
var ws = BenchArgs.NewWorkspaceId("ob");
var label = opts.GetValueOrDefault("label", mode);
long unavailable = 0, unreachable = 0;

// A request retried while the API is away (503) or unreachable: what a client of a restarting system does.
async Task<string> Send(HttpMethod method, string path, object? body = null)
{
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var r = await http.SendAsync(request);
            var text = await r.Content.ReadAsStringAsync();
            if (r.StatusCode == HttpStatusCode.ServiceUnavailable) { Interlocked.Increment(ref unavailable); await Task.Delay(500); continue; }
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)r.StatusCode} {text}");
            return text;
        }
        catch (HttpRequestException) when (attempt < 600) { Interlocked.Increment(ref unreachable); await Task.Delay(500); }
    }
}

async Task<T> Scalar<T>(string sql)
{
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            await using var conn = new NpgsqlConnection(db);
            await conn.OpenAsync();
            await using var c = new NpgsqlCommand(sql, conn);
            c.Parameters.AddWithValue("w", ws);
            return (T)(await c.ExecuteScalarAsync())!;
        }
        catch (NpgsqlException) when (attempt < 120) { await Task.Delay(500); } // the store is restarting
    }
}

async Task RunAll(int count, int concurrency, Func<int, Task> one)
{
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) <= count) await one(i);
    }));
}

double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

await Send(HttpMethod.Post, "workspaces/create", new { id = ws, name = ws });
switch (mode)
{
    case "jobs":
    {
        var count = int.Parse(opts.GetValueOrDefault("count", "2000"));
        var concurrency = int.Parse(opts.GetValueOrDefault("concurrency", "32"));
        var sleepMs = int.Parse(opts.GetValueOrDefault("sleep-ms", "100"));
        var ranFile = opts.GetValueOrDefault("ran-file", Path.Combine(Path.GetTempPath(), ws + ".ran"));
        var code = $"echo \"$WM_JOB_ID\" >> '{ranFile}'\nsleep {sleepMs / 1000.0:0.###}\n";
        await Send(HttpMethod.Post, $"w/{ws}/scripts/create", new { path = "u/superadmin_secret/sleep", language = "bash", content = code, tag = opts["tag"] });
        var ids = new ConcurrentBag<Guid>();
        var sw = Stopwatch.StartNew();
        await RunAll(count, concurrency, async _ => ids.Add(Guid.Parse((await Send(HttpMethod.Post, $"w/{ws}/jobs/run/p/u/superadmin_secret/sleep", new { })).Trim('"'))));
        var enqueued = sw.Elapsed.TotalSeconds;
        var deadline = TimeSpan.FromSeconds(double.Parse(opts.GetValueOrDefault("timeout", "600")));
        long done = 0;
        while (done < count && sw.Elapsed < deadline)
        {
            await Task.Delay(200);
            done = await Scalar<long>("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w");
        }
        var span = await Scalar<double>("SELECT extract(epoch FROM max(completed_at) - min(started_at))::float8 FROM v2_job_completed WHERE workspace_id = @w");
        var ok = await Scalar<long>("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w AND status = 'success'");
        var runs = File.Exists(ranFile) ? File.ReadAllLines(ranFile).Where(l => l.Length > 0).ToList() : [];
        var rerun = runs.GroupBy(x => x).Count(g => g.Count() > 1);
        Console.WriteLine($"{label}: {count} jobs sleeping {sleepMs} ms, enqueued in {enqueued:F1} s; first start to last completion {span:F2} s: {count / span:F1} jobs/s");
        Console.WriteLine($"{label}: completed {done} (success {ok}, failed {done - ok}), never completed {count - done}, completed twice 0 by construction " +
                          $"(one completion row per job), runs {runs.Count} ({rerun} jobs ran again after losing their worker); " +
                          $"client saw {unavailable} x 503 and {unreachable} x unreachable");
        break;
    }
    case "flows":
    {
        var count = int.Parse(opts.GetValueOrDefault("count", "200"));
        var concurrency = int.Parse(opts.GetValueOrDefault("concurrency", "16"));
        var value = new
        {
            modules = new object[]
            {
                new { id = "a", value = new { type = "rawscript", language = "python3", input_transforms = new { n = new { type = "javascript", expr = "flow_input.n" } },
                    content = "import wmill, time\ndef main(n):\n    wmill.set_flow_user_state('n', n)\n    time.sleep(1)\n    return n\n" } },
                new { id = "b", value = new { type = "rawscript", language = "python3", input_transforms = new { },
                    content = "import wmill\ndef main():\n    return wmill.get_flow_user_state('n')\n" } },
            },
        };
        await Send(HttpMethod.Post, $"w/{ws}/flows/create", new { path = "u/superadmin_secret/state", summary = "", value });
        var ids = new ConcurrentDictionary<Guid, int>();
        await RunAll(count, concurrency, async i => ids[Guid.Parse((await Send(HttpMethod.Post, $"w/{ws}/jobs/run/f/u/superadmin_secret/state", new { n = i })).Trim('"'))] = i);
        int correct = 0, failed = 0, wrong = 0, missing = 0;
        foreach (var (id, n) in ids)
        {
            JsonNode? r = null;
            for (var t = 0; t < 600; t++)
            {
                r = JsonNode.Parse(await Send(HttpMethod.Get, $"w/{ws}/jobs_u/completed/get_result_maybe/{id}"));
                if (r!["completed"]!.GetValue<bool>()) break;
                await Task.Delay(200);
            }
            if (r?["completed"]?.GetValue<bool>() != true) missing++;
            else if (r["success"]?.GetValue<bool>() == false || r["result"] is JsonObject { } o && o.ContainsKey("error")) failed++;
            else if (r["result"]?.ToJsonString() == n.ToString()) correct++;
            else wrong++;
        }
        Console.WriteLine($"{label}: {count} flows with custom flow state: correct {correct}, failed clearly {failed}, wrong {wrong}, never completed {missing}; " +
                          $"client saw {unavailable} x 503");
        break;
    }
    case "load":
    {
        var clients = int.Parse(opts.GetValueOrDefault("clients", "200"));
        var seconds = int.Parse(opts.GetValueOrDefault("seconds", "60"));
        await Send(HttpMethod.Post, $"w/{ws}/scripts/create", new { path = "u/superadmin_secret/echo", language = "bash", content = "echo hi\n" });
        await Send(HttpMethod.Post, $"w/{ws}/resources/create", new { path = "u/superadmin_secret/cfg", resource_type = "any", value = new { a = 1, b = "two" } });
        var recent = new ConcurrentQueue<Guid>();
        recent.Enqueue(Guid.Parse((await Send(HttpMethod.Post, $"w/{ws}/jobs/run/p/u/superadmin_secret/echo", new { })).Trim('"')));
        var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        long errors = 0, requests = 0;
        var until = DateTime.UtcNow.AddSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var rng = new Random(c);
            while (DateTime.UtcNow < until)
            {
                var pick = rng.Next(10);
                var (kind, method, path) = pick switch
                {
                    < 3 => ("enqueue", HttpMethod.Post, $"w/{ws}/jobs/run/p/u/superadmin_secret/echo"),
                    < 6 => ("get_result", HttpMethod.Get, $"w/{ws}/jobs_u/completed/get_result_maybe/{(recent.TryPeek(out var id) ? id : Guid.Empty)}"),
                    _ => ("resource", HttpMethod.Get, $"w/{ws}/resources/get_value_interpolated/u/superadmin_secret/cfg"),
                };
                var t = Stopwatch.StartNew();
                try
                {
                    using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? JsonContent.Create(new { }) : null };
                    using var r = await http.SendAsync(request);
                    var text = await r.Content.ReadAsStringAsync();
                    if (!r.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                    else if (kind == "enqueue")
                    {
                        recent.Enqueue(Guid.Parse(text.Trim('"')));
                        while (recent.Count > 100) recent.TryDequeue(out _);
                    }
                }
                catch (Exception) { Interlocked.Increment(ref errors); }
                Interlocked.Increment(ref requests);
                latencies.GetOrAdd(kind, _ => []).Add(t.Elapsed.TotalMilliseconds);
            }
        }));
        Console.WriteLine($"load: {clients} clients for {seconds} s: {requests} requests, {requests / (double)seconds:F0} req/s, errors {errors} ({100.0 * errors / Math.Max(requests, 1):F2}%)");
        foreach (var (kind, bag) in latencies.OrderBy(k => k.Key))
        {
            var sorted = bag.OrderBy(x => x).ToList();
            Console.WriteLine($"load: {kind,-10} {sorted.Count,7} requests  p50 {P(sorted, 0.5):F1} ms  p99 {P(sorted, 0.99):F1} ms  max {sorted[^1]:F1} ms");
        }
        break;
    }
}
