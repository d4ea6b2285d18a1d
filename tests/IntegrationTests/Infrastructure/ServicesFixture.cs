using System.Net;
using System.Net.Sockets;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>
/// The real servers (PostgreSQL, RabbitMQ, Redis, S3) started once for the whole test run through the
/// repo's own <c>scripts/services.sh</c>, and one API process on a free loopback port.
/// </summary>
public sealed class ServicesFixture : IAsyncLifetime
{
    public const string SuperadminSecret = "integration-superadmin-secret-0123";

    /// <summary>Stops the RabbitMQ broker for a while and starts it again (durable queues survive).</summary>
    public Task RestartRabbitMqAsync(int downSeconds) => ServicesCommandAsync("restart-rabbitmq", _dir, downSeconds.ToString());

    /// <summary>Redis down for a moment, then back empty (it keeps nothing on disk here).</summary>
    public Task RestartRedisAsync(int downSeconds) => ServicesCommandAsync("restart-redis", _dir, downSeconds.ToString());

    /// <summary>Takes the store away (every process loses its connections) until <see cref="StartPostgresAsync"/>.</summary>
    public Task StopPostgresAsync() => ServicesCommandAsync("stop-postgres", _dir);

    public async Task StartPostgresAsync()
    {
        await ServicesCommandAsync("start-postgres", _dir);
        Npgsql.NpgsqlConnection.ClearAllPools(); // this process's pooled connections died with the server
    }

    private static async Task ServicesCommandAsync(params string[] args)
    {
        var p = ChildProcess.Start("bash", [Path.Combine(RepoPaths.Root, "scripts", "services.sh"), .. args], new Dictionary<string, string?>());
        var code = await p.WaitForExitAsync(TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException($"services.sh {args[0]} failed:\n" + p.Output);
    }

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wmj-test-" + Guid.NewGuid().ToString("N")[..8]);

    public IReadOnlyDictionary<string, string> Env { get; private set; } = new Dictionary<string, string>();
    public ChildProcess Api { get; private set; } = null!;
    public ChildProcess Worker { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public ApiClient Superadmin => new(BaseUrl, SuperadminSecret);

    public string DatabaseUrl => Env["DATABASE_URL"];
    public string NpgsqlConnectionString => Core.Config.ConnectionUrls.PostgresToNpgsql(DatabaseUrl, "tests");

    public async Task InitializeAsync()
    {
        var start = ChildProcess.Start("bash", [Path.Combine(RepoPaths.Root, "scripts", "services.sh"), "start", _dir],
            new Dictionary<string, string?> { ["PG_EXTRA_OPTS"] = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" });
        var code = await start.WaitForExitAsync(TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("scripts/services.sh start failed:\n" + start.Output);
        Env = File.ReadAllLines(Path.Combine(_dir, "services.env"))
            .Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        (Api, BaseUrl) = await StartApiAsync(DatabaseUrl);
        Worker = await StartWorkerAsync();
    }

    /// <summary>Starts a worker process serving the given tags (default: every language) and waits until it listens.</summary>
    public async Task<ChildProcess> StartWorkerAsync(string? tags = null, int numWorkers = 4, string? name = null,
        Dictionary<string, string?>? extraEnv = null)
    {
        var env = ProcessEnv(DatabaseUrl, new Uri(BaseUrl).Port);
        foreach (var (k, v) in extraEnv ?? []) env[k] = v;
        if (tags is not null) env["WORKER_TAGS"] = tags;
        env["NUM_WORKERS"] = numWorkers.ToString();
        env["PING_INTERVAL"] = "1";
        if (name is not null) env["WORKER_NAME"] = name;
        var worker = ChildProcess.Start("dotnet", [RepoPaths.WorkerDll], env);
        await worker.WaitForOutputAsync("connected to RabbitMQ", TimeSpan.FromSeconds(60));
        return worker;
    }

    /// <summary>The environment an API or worker process of this test run gets.</summary>
    public Dictionary<string, string?> ProcessEnv(string databaseUrl, int port) => new()
    {
        ["DATABASE_URL"] = databaseUrl,
        ["RABBITMQ_URL"] = Env["RABBITMQ_URL"],
        ["REDIS_URL"] = Env["REDIS_URL"],
        ["SUPERADMIN_SECRET"] = SuperadminSecret,
        ["PORT"] = port.ToString(),
        ["BIND_ADDRESS"] = "127.0.0.1",
        ["BASE_INTERNAL_URL"] = $"http://127.0.0.1:{port}",
        ["AUTH_CACHE_SECONDS"] = "5",
        ["BUN_PATH"] = Env["BUN_PATH"],
        ["BUN_NODE_MODULES"] = Env["BUN_NODE_MODULES"],
        ["LIBDUCKDB_PATH"] = Env["LIBDUCKDB_PATH"],
        ["DUCKDB_MEMORY_LIMIT"] = "512MB",
        // Short queue monitoring intervals, so lost and zombie jobs are recovered within seconds in tests.
        ["ZOMBIE_JOB_TIMEOUT"] = "4",
        ["ZOMBIE_JOB_RESTART_LIMIT"] = "1",
        ["RECOVERY_INTERVAL"] = "1",
    };

    /// <summary>Starts an API process on a free port and waits until it answers.</summary>
    public async Task<(ChildProcess Process, string BaseUrl)> StartApiAsync(string databaseUrl, Dictionary<string, string?>? extraEnv = null)
    {
        var port = FreePort();
        var env = ProcessEnv(databaseUrl, port);
        foreach (var (k, v) in extraEnv ?? []) env[k] = v;
        var process = ChildProcess.Start("dotnet", [RepoPaths.ApiDll], env);
        var url = $"http://127.0.0.1:{port}";
        await WaitUntilAnsweringAsync(process, url);
        return (process, url);
    }

    private static async Task WaitUntilAnsweringAsync(ChildProcess process, string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"API exited with {process.ExitCode}:\n{process.Output}");
            try
            {
                if ((await http.GetAsync(url + "/api/version")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("API did not answer in 60 s:\n" + process.Output);
            await Task.Delay(200);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (Worker is not null) await Worker.DisposeAsync();
        if (Api is not null) await Api.DisposeAsync();
        var stop = ChildProcess.Start("bash", [Path.Combine(RepoPaths.Root, "scripts", "services.sh"), "stop", _dir], new Dictionary<string, string?>());
        await stop.WaitForExitAsync(TimeSpan.FromMinutes(1));
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
    public const string Name = "services";
}
