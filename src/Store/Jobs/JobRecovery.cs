using Npgsql;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>A job to put (back) on the bus.</summary>
public sealed record DispatchItem(Guid Id, string Tag, short? Priority);

/// <summary>
/// Queries of the dispatcher leader (spec 6.6 and the lost-publish case): jobs that are due but whose
/// dispatch was never confirmed, the next future due time, and jobs whose worker stopped pinging.
/// </summary>
public sealed class JobRecovery(NpgsqlDataSource db)
{
    /// <summary>
    /// Due jobs whose dispatch the broker never confirmed: future jobs that came due, and immediate jobs
    /// older than <paramref name="grace"/> (the API publishes those itself; a crash can lose the publish).
    /// Also jobs dispatched over ten minutes ago and still waiting, in case their message was lost later.
    /// </summary>
    public async Task<List<DispatchItem>> UndispatchedDueAsync(TimeSpan grace, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, tag, priority FROM v2_job_queue
            WHERE running = false AND scheduled_for <= now()
              AND ((dispatched_at IS NULL AND (scheduled_for > created_at OR created_at < now() - $1))
                   -- safety net: a message that went missing after it was confirmed (e.g. dead-lettered)
                   OR dispatched_at < now() - interval '10 minutes')
            ORDER BY priority DESC NULLS LAST, scheduled_for
            LIMIT $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = grace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        var items = new List<DispatchItem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) items.Add(new DispatchItem(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt16(2)));
        return items;
    }

    /// <summary>When the next future job comes due, if any.</summary>
    public async Task<DateTime?> NextDueAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT min(scheduled_for) FROM v2_job_queue WHERE running = false AND dispatched_at IS NULL AND scheduled_for > now()");
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is DateTime d ? d : null;
    }

    /// <summary>
    /// Claimed jobs whose heartbeat is older than the zombie timeout. A flow parked while its steps run has
    /// no claim (nobody works on it), so it is never a zombie; a flow being advanced is claimed like any job.
    /// </summary>
    public async Task<List<Guid>> ZombiesAsync(TimeSpan timeout, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT q.id FROM v2_job_queue q JOIN v2_job_runtime r ON r.id = q.id
            WHERE q.running AND q.claim_id IS NOT NULL AND coalesce(r.ping, q.started_at) < now() - $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = timeout });
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add(r.GetGuid(0));
        return ids;
    }

    /// <summary>
    /// Puts a zombie back in the queue if it has restarts left (spec 6.6): bumps its counter, clears the claim
    /// (so the old worker can no longer complete it) and logs why. Returns the item to publish, or null when
    /// the limit is reached (the caller then fails the job).
    /// </summary>
    public async Task<(DispatchItem? Restart, int Count, DateTime? LastPing)> RestartZombieAsync(Guid id, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var count = new NpgsqlCommand("""
            INSERT INTO zombie_job_counter (job_id, counter) VALUES ($1, 1)
            ON CONFLICT (job_id) DO UPDATE SET counter = zombie_job_counter.counter + 1
            RETURNING counter, (SELECT ping FROM v2_job_runtime WHERE id = $1)
            """, conn, tx);
        count.Parameters.Add(new NpgsqlParameter { Value = id });
        int counter;
        DateTime? ping;
        await using (var r = await count.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            counter = r.GetInt32(0);
            ping = r.IsDBNull(1) ? null : r.GetDateTime(1);
        }
        if (counter > limit)
        {
            await tx.CommitAsync(ct);
            return (null, counter, ping);
        }
        await using var reset = new NpgsqlCommand("""
            WITH q AS (
                UPDATE v2_job_queue SET running = false, started_at = NULL, worker = NULL, claim_id = NULL, dispatched_at = NULL
                WHERE id = $1 AND running RETURNING id, tag, priority, workspace_id
            ), l AS (
                INSERT INTO job_logs (job_id, workspace_id, logs)
                SELECT id, workspace_id, $2 FROM q
                ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            )
            SELECT id, tag, priority FROM q
            """, conn, tx);
        reset.Parameters.Add(new NpgsqlParameter { Value = id });
        reset.Parameters.Add(new NpgsqlParameter { Value = $"\nRestarted job after not receiving job's ping for too long the {DateTime.UtcNow:O}\n" });
        DispatchItem? item = null;
        await using (var r = await reset.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) item = new DispatchItem(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt16(2));
        await tx.CommitAsync(ct);
        return (item, counter, ping);
    }
}
