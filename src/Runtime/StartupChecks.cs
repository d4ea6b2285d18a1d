using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Windmill.Jobs.Runtime;

/// <summary>Checks that each server named in the settings answers, so a bad setting fails start-up with its name.</summary>
public static class StartupChecks
{
    public static async Task RequireReachableAsync(ServiceSettings s, bool needsRedis, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(s.NpgsqlConnectionString + ";Timeout=10");
            await connection.OpenAsync(ct);
        }
        catch (Exception e) { throw new SettingsError($"DATABASE_URL: cannot connect to PostgreSQL at {Host(s.DatabaseUrl)}: {Redact(e.Message)}"); }

        try
        {
            var factory = new ConnectionFactory { Uri = s.RabbitMqUrl, RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
            await using var connection = await factory.CreateConnectionAsync(ct);
        }
        catch (Exception e) { throw new SettingsError($"RABBITMQ_URL: cannot connect to RabbitMQ at {s.RabbitMqUrl.Host}:{s.RabbitMqUrl.Port}: {Redact(e.Message)}"); }

        if (!needsRedis) return;
        try
        {
            var options = ConfigurationOptions.Parse(s.RedisConfiguration);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 10_000;
            using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetDatabase().PingAsync();
        }
        catch (Exception e) { throw new SettingsError($"REDIS_URL: cannot connect to Redis at {Host(s.RedisUrl)}: {Redact(e.Message)}"); }
    }

    /// <summary>host:port of a URL, never its credentials.</summary>
    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Host}:{u.Port}" : "(unparsable URL)";

    private static string Redact(string message) => message.Split('\n')[0].Trim();
}
