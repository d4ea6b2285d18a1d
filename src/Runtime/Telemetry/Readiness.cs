using System.Text.Json.Nodes;
using MassTransit;
using Npgsql;

namespace Windmill.Jobs.Runtime.Telemetry;

/// <summary>
/// Whether this process can do its work now (<c>/readyz</c>): PostgreSQL answers a query, the RabbitMQ bus is
/// connected, Redis answers a ping, each within two seconds. Liveness (<c>/healthz</c>) only says the process
/// runs: a store outage should take a pod out of its Service, not restart it.
/// </summary>
public sealed class Readiness(NpgsqlDataSource db, IBusControl bus, FlowUserStates redis)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    public async Task<(bool Ready, JsonObject Checks)> CheckAsync(CancellationToken ct)
    {
        var checks = new JsonObject();
        var ready = true;
        async Task Check(string name, Func<CancellationToken, Task> probe)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Limit);
            try
            {
                await probe(timeout.Token).WaitAsync(timeout.Token);
                checks[name] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                ready = false;
                checks[name] = e is OperationCanceledException ? $"no answer within {Limit.TotalSeconds:0} s" : e.GetType().Name + ": " + e.Message;
            }
        }
        await Check("postgresql", async c =>
        {
            await using var cmd = db.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(c);
        });
        await Check("rabbitmq", _ =>
        {
            var health = bus.CheckHealth();
            return health.Status == BusHealthStatus.Healthy ? Task.CompletedTask : throw new InvalidOperationException(health.Description);
        });
        await Check("redis", _ => redis.PingAsync());
        return (ready, checks);
    }
}
