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
    public static ApiSettings FromEnvironment(Func<string, string?> env)
    {
        var port = ServiceSettings.IntOr(env, "PORT", 8000, 1, 65535);
        var services = ServiceSettings.FromEnvironment(env, "windmill-jobs-api", $"http://localhost:{port}");
        var secret = env("SUPERADMIN_SECRET") is { Length: > 0 } s ? s : null;
        if (secret is { Length: < 16 })
            throw new SettingsError("SUPERADMIN_SECRET must be at least 16 characters long");
        var baseUrl = (env("BASE_URL") is { Length: > 0 } b ? b : services.BaseInternalUrl).TrimEnd('/');
        var authCache = ServiceSettings.IntOr(env, "AUTH_CACHE_SECONDS", 5, 0, 300);
        return new ApiSettings(services, port, secret, baseUrl, authCache);
    }
}
