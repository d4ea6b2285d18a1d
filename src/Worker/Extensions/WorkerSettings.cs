using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Worker.Extensions;

/// <summary>
/// The worker's settings, from the environment: the shared ones plus <c>WORKER_TAGS</c> (comma-separated
/// tags this process serves), <c>NUM_WORKERS</c> (jobs run at once) and <c>WORKER_NAME</c>.
/// </summary>
public sealed record WorkerSettings(ServiceSettings Services, IReadOnlyList<string> Tags, int NumWorkers, string Name)
{
    /// <summary><c>BASE_URL</c> (public URL jobs see as <c>WM_BASE_URL</c>), <c>JOB_DIR</c> (where job folders go),
    /// <c>PING_INTERVAL</c> (s between heartbeats, default 5), <c>TIMEOUT</c> (default job timeout, s), <c>PYTHON_PATH</c>.</summary>
    public string BaseUrl { get; init; } = "";
    public string JobDir { get; init; } = Path.Combine(Path.GetTempPath(), "windmill-jobs");
    public int PingInterval { get; init; } = 5;
    public int DefaultTimeout { get; init; } = 604_800;
    public string PythonPath { get; init; } = "python3";
    /// <summary><c>BUN_PATH</c> (the bun binary) and <c>BUN_NODE_MODULES</c> (a node_modules with windmill-client).</summary>
    public string BunPath { get; init; } = "bun";
    public string? BunNodeModules { get; init; }
    /// <summary><c>DUCKDB_MEMORY_LIMIT</c>: the most memory one DuckDB job may use (DuckDB's syntax, e.g. <c>2GB</c>); beyond it DuckDB spills to the job's folder.</summary>
    public string? DuckDbMemoryLimit { get; init; }
    /// <summary><c>S3_DIRECT</c> (default true): a DuckDB job allowed to see a storage's credentials stages its objects straight from S3 rather than through the API.</summary>
    public bool S3Direct { get; init; } = true;
    /// <summary><c>S3_TRANSFER_CONCURRENCY</c> (default 4): parallel ranged GETs or upload parts of one object.</summary>
    public int S3TransferConcurrency { get; init; } = 4;
    /// <summary><c>S3_CACHE_MB</c> (default 2048, 0 = off): disk kept for copies of objects DuckDB jobs read and wrote, in <c>JOB_DIR/.s3cache</c>.</summary>
    public long S3CacheBytes { get; init; } = 2048L << 20;
    /// <summary><c>SHUTDOWN_GRACE_PERIOD</c> (s, default 30): on SIGTERM, how long running jobs may go on before they are handed back to the queue.</summary>
    public int ShutdownGracePeriod { get; init; } = 30;
    /// <summary><c>WORKER_HTTP_PORT</c>: where <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> listen (default 0: a free port, logged at start).</summary>
    public int HttpPort { get; init; }

    public static readonly string[] DefaultTags = ["deno", "python3", "go", "bash", "powershell", "dependency", "flow", "other", "bun", "php", "rust", "duckdb", "postgresql", "mysql"];

    public static WorkerSettings FromEnvironment(Func<string, string?> env)
    {
        var services = ServiceSettings.FromEnvironment(env, "windmill-jobs-worker", "http://localhost:8000");
        var tags = env("WORKER_TAGS") is { Length: > 0 } t
            ? t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : DefaultTags;
        if (tags.Length == 0) throw new SettingsError("WORKER_TAGS lists no tag");
        var numWorkers = ServiceSettings.IntOr(env, "NUM_WORKERS", 1, 1, 1000);
        var name = env("WORKER_NAME") is { Length: > 0 } n ? n : $"wk-{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..5]}";
        return new WorkerSettings(services, tags, numWorkers, name)
        {
            BaseUrl = (env("BASE_URL") is { Length: > 0 } b ? b : services.BaseInternalUrl).TrimEnd('/'),
            JobDir = env("JOB_DIR") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "windmill-jobs"),
            PingInterval = ServiceSettings.IntOr(env, "PING_INTERVAL", 5, 1, 300),
            DefaultTimeout = ServiceSettings.IntOr(env, "TIMEOUT", 604_800, 1, 31_536_000),
            // Debian's interpreter starts in ~10 ms; a pyenv shim (a shell script) takes ~250 ms.
            PythonPath = env("PYTHON_PATH") is { Length: > 0 } py ? py : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3",
            BunPath = env("BUN_PATH") is { Length: > 0 } bun ? bun : "bun",
            BunNodeModules = env("BUN_NODE_MODULES") is { Length: > 0 } nm ? nm : null,
            DuckDbMemoryLimit = env("DUCKDB_MEMORY_LIMIT") is { Length: > 0 } mem ? mem : null,
            S3Direct = !string.Equals(env("S3_DIRECT"), "false", StringComparison.OrdinalIgnoreCase),
            S3TransferConcurrency = ServiceSettings.IntOr(env, "S3_TRANSFER_CONCURRENCY", 4, 1, 64),
            S3CacheBytes = (long)ServiceSettings.IntOr(env, "S3_CACHE_MB", 2048, 0, 1_048_576) << 20,
            ShutdownGracePeriod = ServiceSettings.IntOr(env, "SHUTDOWN_GRACE_PERIOD", 30, 0, 86_400),
            HttpPort = ServiceSettings.IntOr(env, "WORKER_HTTP_PORT", 0, 0, 65535),
        };
    }
}
