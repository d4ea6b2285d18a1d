using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>
/// Errors that mean a backing service is away rather than a bug: PostgreSQL unreachable or shutting down,
/// Redis unreachable. The API answers them 503 with Retry-After, and recovers by itself once the service is back.
/// </summary>
public static class Unavailability
{
    /// <summary>The service that is away, or null when the error is something else.</summary>
    public static string? ServiceOf(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            switch (x)
            {
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P0", StringComparison.Ordinal):
                    return "the job store (PostgreSQL)";
                case PostgresException:
                    return null; // a real SQL error
                case NpgsqlException n when n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException:
                    return "the job store (PostgreSQL)";
                case RedisConnectionException or RedisTimeoutException:
                    return "Redis";
            }
        return null;
    }
}
