// Queue benchmarks of issue 3, against a running API, workers and PostgreSQL (loopback only):
//   overhead  --count N --concurrency C [--rate R]
//                                         N noop jobs enqueued over HTTP, enqueue to completion: jobs/s and
//                                         enqueue-to-start latency p50/p99 (from the store's timestamps). Without
//                                         --rate the enqueuers go flat out (a backlog forms); with it, R jobs/s.
//   wait      --count N                   run_wait_result of a python3 script returning 1, sequentially: p50/p99
//   idle      --seconds S                 database transactions per second while everything sits idle
//   flow      --steps N --language L --fibo K [--runs R]
//                                         a flow of N sequential L steps each computing fibo(K) (issue 4, after
//                                         Windmill's published comparison), run_wait_result/f R times: seconds each
//   duckdb    --rows N --s3-endpoint H:P --local-dir D [--runs R]
//                                         issue 5: an N-row parquet on S3 aggregated by a DuckDB job into a parquet on
//                                         S3, against the same job on a local copy of the file: seconds each
using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;

var bench = BenchArgs.Parse(args);
var (mode, opts) = (bench.Mode, bench.Options);
var db = bench.Database;
var http = bench.ApiClient(64, TimeSpan.FromMinutes(10));
var ws = BenchArgs.NewWorkspaceId("qb");

async Task<string> Post(string path, object body)
{
    var r = await http.PostAsJsonAsync(path, body);
    var text = await r.Content.ReadAsStringAsync();
    if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)r.StatusCode} {text}");
    return text;
}

double P(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

switch (mode)
{
    case "overhead":
    {
        var count = int.Parse(opts.GetValueOrDefault("count", "10000"));
        var concurrency = int.Parse(opts.GetValueOrDefault("concurrency", "32"));
        var rate = opts.TryGetValue("rate", out var rateText) ? double.Parse(rateText) : (double?)null;
        await Post("workspaces/create", new { id = ws, name = ws });
        var next = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= count)
            {
                if (rate is { } perSecond)
                {
                    var due = TimeSpan.FromSeconds((i - 1) / perSecond) - sw.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due);
                }
                await Post($"w/{ws}/jobs/run/preview", new { content = "", language = "bash", kind = "noop", args = new { } });
            }
        }));
        var enqueued = sw.Elapsed.TotalSeconds;
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        long done = 0;
        while (done < count)
        {
            await using var c = new NpgsqlCommand("SELECT count(*) FROM v2_job_completed WHERE workspace_id = @w", conn);
            c.Parameters.AddWithValue("w", ws);
            done = (long)(await c.ExecuteScalarAsync())!;
            if (done < count) await Task.Delay(50);
        }
        var total = sw.Elapsed.TotalSeconds;
        await using var lat = new NpgsqlCommand("""
            SELECT extract(epoch FROM c.started_at - j.created_at) * 1000 FROM v2_job j JOIN v2_job_completed c ON c.id = j.id
            WHERE j.workspace_id = @w ORDER BY 1
            """, conn);
        lat.Parameters.AddWithValue("w", ws);
        var latencies = new List<double>();
        await using (var r = await lat.ExecuteReaderAsync()) while (await r.ReadAsync()) latencies.Add(r.GetDouble(0));
        Console.WriteLine($"queue overhead: {count} noop jobs, {concurrency} concurrent enqueuers over HTTP{(rate is { } rr ? $" paced at {rr} jobs/s" : "")}, one worker process");
        Console.WriteLine($"enqueue: {count / enqueued:F0} jobs/s ({enqueued:F1} s); enqueue to last completion: {count / total:F0} jobs/s ({total:F1} s)");
        Console.WriteLine($"enqueue-to-start latency ms: p50 {P(latencies, 0.5):F1}  p90 {P(latencies, 0.9):F1}  p99 {P(latencies, 0.99):F1}  max {latencies[^1]:F1}");
        break;
    }
    case "wait":
    {
        var count = int.Parse(opts.GetValueOrDefault("count", "200"));
        await Post("workspaces/create", new { id = ws, name = ws });
        await Post($"w/{ws}/scripts/create", new { path = "u/superadmin_secret/one", language = "python3", content = "def main():\n    return 1\n" });
        for (var i = 0; i < 5; i++) await Post($"w/{ws}/jobs/run_wait_result/p/u/superadmin_secret/one", new { });
        var lat = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var t = Stopwatch.StartNew();
            var result = await Post($"w/{ws}/jobs/run_wait_result/p/u/superadmin_secret/one", new { });
            if (result.Trim() != "1") throw new InvalidOperationException("unexpected result " + result);
            lat.Add(t.Elapsed.TotalMilliseconds);
        }
        lat.Sort();
        Console.WriteLine($"run_wait_result of a python3 script returning 1, {count} times in sequence");
        Console.WriteLine($"latency ms: p50 {P(lat, 0.5):F1}  p90 {P(lat, 0.9):F1}  p99 {P(lat, 0.99):F1}  max {lat[^1]:F1}");
        break;
    }
    case "idle":
    {
        var seconds = int.Parse(opts.GetValueOrDefault("seconds", "30"));
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        async Task<long> Transactions()
        {
            await using var c = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()", conn);
            return (long)(await c.ExecuteScalarAsync())!;
        }
        await Task.Delay(2000);
        var before = await Transactions();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = await Transactions();
        // Two of the counted transactions are this program's own reads (and the stats lag up to 0.5 s).
        var tx = Math.Max(0, after - before - 2);
        Console.WriteLine($"idle: {tx} database transactions in {seconds} s = {(double)tx / seconds:F2} per second");
        break;
    }
    case "flow":
    {
        var steps = int.Parse(opts.GetValueOrDefault("steps", "40"));
        var language = opts.GetValueOrDefault("language", "python3");
        var fibo = int.Parse(opts.GetValueOrDefault("fibo", "10"));
        var runs = int.Parse(opts.GetValueOrDefault("runs", "3"));
        var code = language == "bash"
            ? $"fibo() {{ if [ $1 -lt 2 ]; then echo $1; else echo $(( $(fibo $(($1 - 1))) + $(fibo $(($1 - 2))) )); fi; }}\nfibo {fibo}"
            : $"def fibo(n):\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\n\ndef main():\n    return fibo({fibo})\n";
        var modules = Enumerable.Range(0, steps).Select(i => new
        {
            id = $"s{i}",
            value = new { type = "rawscript", language, content = code, input_transforms = new { } },
        }).ToArray();
        await Post("workspaces/create", new { id = ws, name = ws });
        await Post($"w/{ws}/flows/create", new { path = "u/superadmin_secret/bench", summary = "", value = new { modules } });
        await Post($"w/{ws}/jobs/run_wait_result/f/u/superadmin_secret/bench", new { }); // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var t = Stopwatch.StartNew();
            await Post($"w/{ws}/jobs/run_wait_result/f/u/superadmin_secret/bench", new { });
            times.Add(t.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"flow of {steps} sequential {language} steps computing fibo({fibo}), one worker: " +
                          string.Join(", ", times.Select(x => $"{x:F3} s")) + $" (best {times.Min():F3} s)");
        break;
    }
    case "duckdb":
    {
        var rows = long.Parse(opts.GetValueOrDefault("rows", "10000000"));
        var runs = int.Parse(opts.GetValueOrDefault("runs", "3"));
        var localDir = opts["local-dir"];
        var endpoint = opts["s3-endpoint"];
        var bucket = "bench" + Guid.NewGuid().ToString("N")[..8];
        using (var s3 = new HttpClient()) (await s3.PutAsync($"http://{endpoint}/{bucket}", null)).EnsureSuccessStatusCode();
        await Post("workspaces/create", new { id = ws, name = ws });
        await Post($"w/{ws}/resources/create", new
        {
            path = "u/superadmin_secret/s3", resource_type = "s3",
            value = new { bucket, region = "us-east-1", endPoint = endpoint, useSSL = false, accessKey = "S3RVER", secretKey = "S3RVER", pathStyle = true },
        });
        await Post($"w/{ws}/workspaces/edit_large_file_storage_config",
            new { large_file_storage = new { s3_resource_path = "$res:u/superadmin_secret/s3", public_resource = true } });
        async Task<double> Run(string name, string sql)
        {
            await Post($"w/{ws}/scripts/create", new { path = $"u/superadmin_secret/{name}", language = "duckdb", content = sql });
            var t = Stopwatch.StartNew();
            await Post($"w/{ws}/jobs/run_wait_result/p/u/superadmin_secret/{name}", new { });
            return t.Elapsed.TotalSeconds;
        }
        var generate = await Run("generate", $"COPY (SELECT i AS id, i % 1000 AS k, (i * 7919) % 100003 / 100.0 AS v, 'item ' || (i % 50) AS label " +
                                             $"FROM range({rows}) t(i)) TO 's3:///bench/events.parquet' (FORMAT parquet);");
        const string aggregate = "SELECT k, count(*) AS n, sum(v) AS total, avg(v) AS mean, count(DISTINCT label) AS labels FROM {0} GROUP BY k";
        var onS3 = new List<double>();
        for (var i = 0; i < runs; i++)
            onS3.Add(await Run($"s3agg{i}", $"COPY ({string.Format(aggregate, "read_parquet('s3:///bench/events.parquet')")}) TO 's3:///bench/agg.parquet' (FORMAT parquet);"));
        // The same job on a local copy of the file (same worker, same DuckDB).
        Directory.CreateDirectory(localDir);
        var local = Path.Combine(localDir, "events.parquet");
        await using (var file = File.Create(local))
        await using (var body = await http.GetStreamAsync($"w/{ws}/job_helpers/download_s3_file?file_key=bench/events.parquet"))
            await body.CopyToAsync(file);
        var size = new FileInfo(local).Length;
        var onDisk = new List<double>();
        for (var i = 0; i < runs; i++)
            onDisk.Add(await Run($"localagg{i}", $"COPY ({string.Format(aggregate, $"read_parquet('{local}')")}) TO '{Path.Combine(localDir, "agg.parquet")}' (FORMAT parquet);"));
        Console.WriteLine($"duckdb: {rows:N0} rows, parquet of {size / 1e6:F1} MB; generating it to S3 took {generate:F2} s");
        Console.WriteLine($"aggregate S3 -> S3 (download, query, upload): {string.Join(", ", onS3.Select(x => $"{x:F2} s"))}");
        Console.WriteLine($"aggregate local -> local:                    {string.Join(", ", onDisk.Select(x => $"{x:F2} s"))}");
        Console.WriteLine($"ratio (best S3 / best local): {onS3.Min() / onDisk.Min():F2}x");
        break;
    }
}
