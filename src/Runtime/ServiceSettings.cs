using Windmill.Jobs.Core.Config;

namespace Windmill.Jobs.Runtime;

/// <summary>A setting that is missing or wrong; start-up stops with its one-line message.</summary>
public sealed class SettingsError(string message) : Exception(message);

/// <summary>
/// Settings shared by every process, read from the environment with Windmill's names:
/// <c>DATABASE_URL</c>, <c>RABBITMQ_URL</c>, <c>REDIS_URL</c>, <c>BASE_INTERNAL_URL</c>, <c>SECRET_SALT</c>;
/// and <c>LOG_FORMAT</c>.
/// </summary>
public sealed record ServiceSettings(
    string DatabaseUrl,
    string NpgsqlConnectionString,
    Uri RabbitMqUrl,
    string RedisUrl,
    string RedisConfiguration,
    string BaseInternalUrl,
    string? SecretSalt)
{
    public static ServiceSettings FromEnvironment(Func<string, string?> env, string applicationName, string defaultBaseInternalUrl)
    {
        var databaseUrl = Required(env, "DATABASE_URL", "postgres://user:password@host:5432/windmill");
        string npgsql;
        try { npgsql = ConnectionUrls.PostgresToNpgsql(databaseUrl, applicationName); }
        catch (FormatException e) { throw new SettingsError($"DATABASE_URL {e.Message}"); }

        var rabbit = Required(env, "RABBITMQ_URL", "amqp://guest:guest@host:5672/");
        if (!Uri.TryCreate(rabbit, UriKind.Absolute, out var rabbitUri) || rabbitUri.Scheme is not ("amqp" or "amqps"))
            throw new SettingsError("RABBITMQ_URL must look like amqp://user:password@host:5672/");

        var redisUrl = Required(env, "REDIS_URL", "redis://host:6379");
        string redis;
        try { redis = ConnectionUrls.RedisToConfiguration(redisUrl); }
        catch (FormatException e) { throw new SettingsError($"REDIS_URL {e.Message}"); }

        var baseInternal = (env("BASE_INTERNAL_URL") is { Length: > 0 } b ? b : defaultBaseInternalUrl).TrimEnd('/');
        if (!Uri.TryCreate(baseInternal, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new SettingsError("BASE_INTERNAL_URL must be an http(s) URL, e.g. http://localhost:8000");

        var logFormat = env("LOG_FORMAT")?.Trim().ToLowerInvariant();
        if (logFormat is not (null or "" or "text" or "json"))
            throw new SettingsError($"LOG_FORMAT must be text or json, not '{logFormat}'");

        return new ServiceSettings(databaseUrl, npgsql, rabbitUri, redisUrl, redis, baseInternal, env("SECRET_SALT")) { JsonLogs = logFormat == "json" };
    }

    /// <summary><c>LOG_FORMAT=json</c>: one JSON object per log line, for a log collector (see <see cref="HostLogging"/>).</summary>
    public bool JsonLogs { get; init; }

    public static string Required(Func<string, string?> env, string name, string example) =>
        env(name) is { Length: > 0 } value ? value : throw new SettingsError($"{name} is not set (example: {example})");

    public static int IntOr(Func<string, string?> env, string name, int fallback, int min, int max)
    {
        var raw = env(name);
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, out var value) || value < min || value > max)
            throw new SettingsError($"{name} must be a whole number from {min} to {max}, not '{raw}'");
        return value;
    }
}
