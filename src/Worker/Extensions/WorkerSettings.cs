using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Worker.Extensions;

/// <summary>
/// The worker's settings, from the environment: the shared ones plus <c>WORKER_TAGS</c> (comma-separated
/// tags this process serves), <c>NUM_WORKERS</c> (jobs run at once) and <c>WORKER_NAME</c>.
/// </summary>
public sealed record WorkerSettings(ServiceSettings Services, IReadOnlyList<string> Tags, int NumWorkers, string Name)
{
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
        return new WorkerSettings(services, tags, numWorkers, name);
    }
}
