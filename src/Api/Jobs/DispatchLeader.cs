using Npgsql;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>
/// One API replica at a time (PostgreSQL advisory lock) dispatches future jobs when they come due and
/// recovers lost work: jobs whose dispatch was never confirmed (a crash between commit and publish)
/// and jobs whose worker stopped pinging (spec 6.6). It sleeps until the next due time, a new future
/// job (LISTEN), or the next sweep, so an idle system costs a few small queries per recovery interval.
/// It also keeps every enabled schedule supplied with its next tick (spec 8.3).
/// </summary>
public sealed class DispatchLeader(
    NpgsqlDataSource db, JobRecovery recovery, JobDispatcher dispatcher, JobClaims claims, ScheduleTicks ticks, ApiSettings settings,
    ILogger<DispatchLeader> log) : BackgroundService
{
    private const long LeaderLockKey = 0x5749_4E44_4A4F_4253; // "WINDJOBS"
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await LeadWhileHoldingLockAsync(stop); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogWarning(e, "dispatch leader lost its connection; retrying"); }
            try { await Task.Delay(TimeSpan.FromSeconds(settings.Queue.RecoveryInterval), stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task LeadWhileHoldingLockAsync(CancellationToken stop)
    {
        await using var conn = await db.OpenConnectionAsync(stop);
        await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderLockKey})", conn))
            if (!(bool)(await take.ExecuteScalarAsync(stop))!) return; // another replica leads
        log.LogInformation("this API replica dispatches future jobs and recovers lost ones");

        conn.Notification += (_, _) => _wake.Release();
        await using (var listen = new NpgsqlCommand($"LISTEN {JobQueueWriter.FutureJobChannel}", conn))
            await listen.ExecuteNonQueryAsync(stop);

        var interval = TimeSpan.FromSeconds(settings.Queue.RecoveryInterval);
        var nextSweep = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            await DispatchDueAsync(stop);
            // A tick that just came due (or a schedule left without one) gets its next tick now.
            await ticks.EnsureAllAsync(stop);
            if (DateTime.UtcNow >= nextSweep)
            {
                await RecoverZombiesAsync(stop);
                nextSweep = DateTime.UtcNow + interval;
            }
            var nextDue = await recovery.NextDueAsync(stop);
            var until = nextDue is { } d && d < nextSweep ? d : nextSweep;
            var wait = until - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await WaitAsync(conn, wait, stop);
        }
    }

    /// <summary>Waits for a notification on the lock connection, the deadline, or shutdown.</summary>
    private async Task WaitAsync(NpgsqlConnection conn, TimeSpan wait, CancellationToken stop)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        cts.CancelAfter(wait);
        var notified = conn.WaitAsync(cts.Token);
        var woken = _wake.WaitAsync(cts.Token);
        try { await Task.WhenAny(notified, woken); }
        catch (OperationCanceledException) { }
        cts.Cancel();
        try { await notified; } catch (OperationCanceledException) { }
        try { await woken; } catch (OperationCanceledException) { }
        while (_wake.CurrentCount > 0) _wake.Wait(0);
    }

    private async Task DispatchDueAsync(CancellationToken stop)
    {
        List<DispatchItem> due;
        do
        {
            due = await recovery.UndispatchedDueAsync(TimeSpan.FromSeconds(5), 1000, stop);
            foreach (var job in due) await dispatcher.DispatchAsync(job, stop);
            if (due.Count > 0) await Task.Delay(150, stop); // let the confirmed-dispatch flush catch up
        } while (due.Count == 1000);
    }

    private async Task RecoverZombiesAsync(CancellationToken stop)
    {
        var timeout = TimeSpan.FromSeconds(settings.Queue.ZombieTimeout);
        foreach (var id in await recovery.ZombiesAsync(timeout, stop))
        {
            var (restart, count, ping) = await recovery.RestartZombieAsync(id, settings.Queue.ZombieRestartLimit, stop);
            if (restart is not null)
            {
                log.LogWarning("job {JobId} stopped pinging; restarting it (restart {Count})", id, count);
                await dispatcher.DispatchAsync(restart, stop);
            }
            else if (count > settings.Queue.ZombieRestartLimit)
            {
                log.LogWarning("job {JobId} stopped pinging {Count} times; failing it", id, count);
                var message = $"Job timed out after no ping from job since {ping:O} (ZOMBIE_JOB_TIMEOUT: {settings.Queue.ZombieTimeout}, " +
                              $"reason: restarted {settings.Queue.ZombieRestartLimit} times already)";
                var failed = await claims.ForceCompleteAsync(id, new JobOutcome(JobStatus.Failure, JobErrors.Json(message, "ZombieJob")), stop);
                foreach (var parent in failed.WokenParents) await dispatcher.DispatchAsync(parent, stop);
            }
        }
    }
}
