using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Api.Extensions;

/// <summary>
/// The API's settings, from the environment: the shared ones plus <c>PORT</c> (default 8000),
/// <c>SUPERADMIN_SECRET</c> (a bearer token with superadmin rights; optional), <c>BASE_URL</c>
/// (public URL; defaults to the internal one) and <c>AUTH_CACHE_SECONDS</c> (how long a resolved
/// identity is reused; permission changes made through another API replica show after at most this long).
/// </summary>
public sealed record ApiSettings(ServiceSettings Services, int Port, string? SuperadminSecret, string BaseUrl, int AuthCacheSeconds)
{
    /// <summary>Queue monitoring (spec 6.5, 6.6): <c>ZOMBIE_JOB_TIMEOUT</c> (s, default 60), <c>ZOMBIE_JOB_RESTART_LIMIT</c>
    /// (default 3), <c>RECOVERY_INTERVAL</c> (s between sweeps, default 30), <c>TIMEOUT</c> (default job timeout, s,
    /// default 7 days), <c>TIMEOUT_WAIT_RESULT</c> (s, default 600).</summary>
    public QueueSettings Queue { get; init; } = new(60, 3, 30, 604_800, 600);

    /// <summary><c>ASSET_JOB_USAGES_KEPT</c> (default 10): the latest job usages kept per asset (spec 9.5).</summary>
    public int AssetJobUsagesKept { get; init; } = 10;

    public static ApiSettings FromEnvironment(Func<string, string?> env)
    {
        var port = ServiceSettings.IntOr(env, "PORT", 8000, 1, 65535);
        var services = ServiceSettings.FromEnvironment(env, "windmill-jobs-api", $"http://localhost:{port}");
        var secret = env("SUPERADMIN_SECRET") is { Length: > 0 } s ? s : null;
        if (secret is { Length: < 16 })
            throw new SettingsError("SUPERADMIN_SECRET must be at least 16 characters long");
        var baseUrl = (env("BASE_URL") is { Length: > 0 } b ? b : services.BaseInternalUrl).TrimEnd('/');
        var authCache = ServiceSettings.IntOr(env, "AUTH_CACHE_SECONDS", 5, 0, 300);
        var queue = new QueueSettings(
            ServiceSettings.IntOr(env, "ZOMBIE_JOB_TIMEOUT", 60, 1, 86_400),
            ServiceSettings.IntOr(env, "ZOMBIE_JOB_RESTART_LIMIT", 3, 0, 100),
            ServiceSettings.IntOr(env, "RECOVERY_INTERVAL", 30, 1, 3_600),
            ServiceSettings.IntOr(env, "TIMEOUT", 604_800, 1, 31_536_000),
            ServiceSettings.IntOr(env, "TIMEOUT_WAIT_RESULT", 600, 1, 86_400));
        return new ApiSettings(services, port, secret, baseUrl, authCache)
        {
            Queue = queue, AssetJobUsagesKept = ServiceSettings.IntOr(env, "ASSET_JOB_USAGES_KEPT", 10, 1, 10_000),
        };
    }
}

/// <summary>Timeouts and limits of the job queue, in seconds.</summary>
public sealed record QueueSettings(int ZombieTimeout, int ZombieRestartLimit, int RecoveryInterval, int DefaultJobTimeout, int WaitResultTimeout);
