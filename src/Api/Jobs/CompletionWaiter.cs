using System.Collections.Concurrent;
using Npgsql;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>
/// Lets <c>run_wait_result</c> wait for a job without polling: one LISTEN connection receives the
/// completion NOTIFY that workers send in the completing transaction, and wakes the waiters. Waiters
/// also re-check the store every few seconds, in case a notification was missed while reconnecting.
/// </summary>
public sealed class CompletionWaiter(NpgsqlDataSource db, ILogger<CompletionWaiter> log) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>Waits until the job is completed (true) or the timeout passes (false).</summary>
    public async Task<bool> WaitAsync(Guid jobId, TimeSpan timeout, Func<Task<bool>> isCompleted, CancellationToken ct)
    {
        var tcs = _waiters.GetOrAdd(jobId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            var until = DateTime.UtcNow + timeout;
            while (true)
            {
                if (await isCompleted()) return true;
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return false;
                var recheck = left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5);
                try { await tcs.Task.WaitAsync(recheck, ct); return true; }
                catch (TimeoutException) { }
            }
        }
        finally { _waiters.TryRemove(jobId, out _); }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                conn.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id) && _waiters.TryGetValue(id, out var tcs)) tcs.TrySetResult();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {JobClaims.CompletedChannel}", conn))
                    await listen.ExecuteNonQueryAsync(stop);
                while (!stop.IsCancellationRequested) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning(e, "completion listener lost its connection; reconnecting");
                try { await Task.Delay(1000, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
