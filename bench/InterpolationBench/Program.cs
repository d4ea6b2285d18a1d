// Load generator for GET resources/get_value_interpolated: sets up a resource with three $var: references
// (one secret) and one nested $res:, then hits it from N concurrent connections for D seconds.
// Prints requests/s and latency percentiles. Loopback only.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

var opts = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--")).ToDictionary(x => x.a[2..], x => args[x.i + 1]);
var baseUrl = opts.GetValueOrDefault("base-url", "http://127.0.0.1:8000");
var adminToken = opts["token"];
var concurrency = int.Parse(opts.GetValueOrDefault("concurrency", "16"));
var seconds = int.Parse(opts.GetValueOrDefault("seconds", "20"));
var warmup = int.Parse(opts.GetValueOrDefault("warmup", "5"));
if (!new Uri(baseUrl).IsLoopback) throw new ArgumentException("the benchmark only targets loopback addresses");

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl + "/api/") };

async Task<string> Call(HttpMethod method, string path, string token, object? body = null)
{
    using var req = new HttpRequestMessage(method, path);
    req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (body is not null) req.Content = JsonContent.Create(body);
    using var res = await http.SendAsync(req);
    var text = await res.Content.ReadAsStringAsync();
    if (!res.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)res.StatusCode} {text}");
    return text;
}

// Set-up: a workspace, a regular user (token by login), the variables and resources.
var ws = "bench-" + Guid.NewGuid().ToString("N")[..6];
var email = $"bencher@{ws}.test";
await Call(HttpMethod.Post, "workspaces/create", adminToken, new { id = ws, name = ws });
await Call(HttpMethod.Post, "users/create", adminToken, new { email, password = "bench-pw", super_admin = false });
await Call(HttpMethod.Post, $"w/{ws}/workspaces/add_user", adminToken, new { email, username = "bencher", is_admin = false });
var token = await (await http.PostAsJsonAsync("auth/login", new { email, password = "bench-pw" })).Content.ReadAsStringAsync();
var w = $"w/{ws}/";
await Call(HttpMethod.Post, w + "variables/create", token, new { path = "u/bencher/host", value = "db.internal", is_secret = false });
await Call(HttpMethod.Post, w + "variables/create", token, new { path = "u/bencher/user", value = "app", is_secret = false });
await Call(HttpMethod.Post, w + "variables/create", token, new { path = "u/bencher/password", value = "s3cret-value", is_secret = true });
await Call(HttpMethod.Post, w + "resources/create", token, new { path = "u/bencher/tls", resource_type = "state", value = new { mode = "verify-full", ca = "-----BEGIN CERTIFICATE-----" } });
await Call(HttpMethod.Post, w + "resources/create", token, new
{
    path = "u/bencher/db", resource_type = "postgresql",
    value = new { host = "$var:u/bencher/host", user = "$var:u/bencher/user", password = "$var:u/bencher/password", dbname = "main", port = 5432, tls = "$res:u/bencher/tls" },
});
var target = w + "resources/get_value_interpolated/u/bencher/db";
var check = await Call(HttpMethod.Get, target, token);
if (!check.Contains("s3cret-value") || !check.Contains("verify-full")) throw new InvalidOperationException("unexpected value: " + check);

async Task<(long Count, List<double> Latencies)> Load(int durationSeconds)
{
    var deadline = Stopwatch.GetTimestamp() + durationSeconds * Stopwatch.Frequency;
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var lat = new List<double>(100_000);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var start = Stopwatch.GetTimestamp();
            using var req = new HttpRequestMessage(HttpMethod.Get, target);
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var res = await http.SendAsync(req);
            await res.Content.ReadAsByteArrayAsync();
            if (!res.IsSuccessStatusCode) throw new InvalidOperationException($"status {(int)res.StatusCode}");
            lat.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return lat;
    }).ToList();
    var all = (await Task.WhenAll(workers)).SelectMany(x => x).ToList();
    return (all.Count, all);
}

await Load(warmup);
var sw = Stopwatch.StartNew();
var (count, latencies) = await Load(seconds);
var elapsed = sw.Elapsed.TotalSeconds;
latencies.Sort();
double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
Console.WriteLine($"get_value_interpolated (3 $var: incl. 1 secret, 1 nested $res:), {concurrency} connections, {seconds} s");
Console.WriteLine($"requests: {count}  requests/s: {count / elapsed:F0}");
Console.WriteLine($"latency ms: p50 {P(0.50):F2}  p90 {P(0.90):F2}  p99 {P(0.99):F2}  max {latencies[^1]:F2}");
