// Asset benchmarks of issue 6:
//   detect                                  static detection of a 5,000-line DuckDB, python, TypeScript and bash script:
//                                           median and worst of 20 runs after a warm-up, in ms
//   events --count N --rabbitmq URL --database NPGSQL --base-url U --token T
//                                           N runtime asset events recorded as fast as one thread can (what a job pays),
//                                           then sent over RabbitMQ and written by the API: events/s into the store
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Runtime;

var mode = args[0];
var opts = args.Skip(1).Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--")).ToDictionary(x => x.a[2..], x => args[x.i + 2]);

switch (mode)
{
    case "detect":
    {
        var sql = new StringBuilder();
        var py = new StringBuilder("import wmill\n\n");
        var ts = new StringBuilder("import * as wmill from 'windmill-client'\n\n");
        var sh = new StringBuilder("#!/bin/bash\nset -e\n");
        for (var i = 0; sql.ToString().Count(c => c == '\n') < 5000 && i < 10_000; i++)
        {
            sql.Append($"-- step {i}: read yesterday's partition\nCREATE TABLE t{i} AS SELECT k, sum(v) AS total FROM read_parquet('s3://lake/raw/{i}/*.parquet') WHERE k > {i} GROUP BY k;\n")
               .Append($"COPY (SELECT * FROM t{i} JOIN (SELECT k FROM 's3:///dim/{i % 50}.csv') d USING (k)) TO 's3:///out/{i}.parquet' (FORMAT parquet);\n");
            py.Append($"def step_{i}(x):\n    data = wmill.load_s3_file('s3:///raw/{i}.csv')  # read\n    cfg = wmill.get_resource('f/data/cfg{i % 20}')\n" +
                      $"    wmill.write_s3_file('s3://archive/{i}.json', data)\n    return {{'k': x * {i}, 'note': \"plain text {i}\"}}\n\n");
            ts.Append($"export async function step{i}(x: number) {{\n  const d = await wmill.loadS3File('s3:///raw/{i}.csv') // read\n" +
                      $"  await wmill.writeS3File('s3://archive/{i}.json', d)\n  return x / {i + 1} + `${{x}} items`.length\n}}\n\n");
            sh.Append($"# step {i}\naws s3 cp \"s3://lake/raw/{i}.csv\" /tmp/{i}.csv\necho \"done $i\" | tee -a /tmp/log_{i}\n");
        }
        foreach (var (language, code) in new[] { ("duckdb", sql), ("python3", py), ("bun", ts), ("bash", sh) })
        {
            var text = string.Join('\n', code.ToString().Split('\n').Take(5000));
            var found = AssetDetector.Detect(language, text).Assets.Count;
            for (var i = 0; i < 5; i++) AssetDetector.Detect(language, text); // warm-up (JIT)
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var t = Stopwatch.StartNew();
                AssetDetector.Detect(language, text);
                times.Add(t.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"detect {language,-8} 5,000 lines ({text.Length / 1024} KiB, {found} assets): median {times[10]:F1} ms, worst {times[^1]:F1} ms");
        }
        break;
    }
    case "events":
    {
        var count = int.Parse(opts.GetValueOrDefault("count", "100000"));
        var http = new HttpClient { BaseAddress = new Uri(opts["base-url"] + "/api/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", opts["token"]);
        var ws = "ab-" + Guid.NewGuid().ToString("N")[..6];
        (await http.PostAsJsonAsync("workspaces/create", new { id = ws, name = ws })).EnsureSuccessStatusCode();

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) => cfg.Host(new Uri(opts["rabbitmq"]))));
        builder.Services.AddSingleton<AssetEvents>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AssetEvents>());
        using var host = builder.Build();
        await host.StartAsync();
        var events = host.Services.GetRequiredService<AssetEvents>();

        // Ten jobs per asset, so the ten kept per asset are every event: the store ends with exactly N rows.
        var jobs = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        var record = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) events.Record(ws, AssetKind.S3Object, $"/bench/{i / 10}.parquet", AssetAccess.R, jobs[i % 10]);
        var recorded = record.Elapsed.TotalMilliseconds;
        await using var db = NpgsqlDataSource.Create(opts["database"]);
        long rows = 0;
        while (rows < count && record.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(200);
            await using var cmd = db.CreateCommand("SELECT count(*) FROM asset WHERE workspace_id = $1");
            cmd.Parameters.AddWithValue(ws);
            rows = (long)(await cmd.ExecuteScalarAsync())!;
        }
        var total = record.Elapsed.TotalSeconds;
        Console.WriteLine($"events: {count:N0} recorded in {recorded:F0} ms ({recorded * 1000 / count:F2} µs each, never blocking the job)");
        Console.WriteLine($"events: {rows:N0} rows in the store after {total:F1} s: {rows / total:N0} events/s end to end (send, RabbitMQ, batched writes)");
        await host.StopAsync();
        break;
    }
}
