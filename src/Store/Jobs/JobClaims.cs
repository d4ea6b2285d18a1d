using Npgsql;
using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>
/// The worker's side of the queue: claim a job (one conditional UPDATE, so a duplicate delivery claims
/// nothing), ping it, append its logs, and complete it. Only the holder of the current claim may complete
/// a job, so a worker that lost its claim (restarted as a zombie elsewhere) can never complete it twice.
/// </summary>
public sealed class JobClaims(NpgsqlDataSource db)
{
    public const string CompletedChannel = "wmj_job_completed";

    private const string ClaimSql = """
        WITH claimed AS (
            UPDATE v2_job_queue SET running = true, started_at = coalesce(started_at, now()), worker = $2, claim_id = $3
            WHERE id = $1 AND running = false AND scheduled_for <= now()
            RETURNING id, started_at, scheduled_for
        ), pinged AS (
            UPDATE v2_job_runtime SET ping = now() WHERE id IN (SELECT id FROM claimed)
        )
        SELECT j.id, j.workspace_id, j.kind, j.created_by, j.permissioned_as, j.permissioned_as_email, j.runnable_path,
               coalesce(j.script_lang, s.language), coalesce(j.raw_code, s.content), coalesce(j.args, '{}'::jsonb)::text, j.tag,
               j.timeout, j.parent_job, j.root_job, parent.runnable_path, j.flow_step_id,
               CASE WHEN j.trigger_kind = 'schedule' THEN j.trigger END,
               c.scheduled_for, j.created_at, c.started_at,
               p.email, p.username, p.is_admin, p.is_operator, p.groups, p.folders_read, p.folders_write, p.folders_owned
        FROM claimed c
        JOIN v2_job j ON j.id = c.id
        JOIN job_perms p ON p.job_id = j.id
        LEFT JOIN script s ON s.workspace_id = j.workspace_id AND s.hash = j.runnable_id AND j.kind = 'script'
        LEFT JOIN v2_job parent ON parent.id = j.parent_job
        """;

    /// <summary>Claims a waiting, due job; null when someone else has it, it is not due, or it is gone.</summary>
    public async Task<ClaimedJob?> ClaimAsync(Guid id, string worker, CancellationToken ct)
    {
        var claimId = Guid.NewGuid();
        await using var cmd = db.CreateCommand(ClaimSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = worker });
        cmd.Parameters.Add(new NpgsqlParameter { Value = claimId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        Guid? G(int i) => r.IsDBNull(i) ? null : r.GetGuid(i);
        var identity = new JobTokenClaims(r.GetString(1), r.GetString(21), r.GetString(20), r.GetBoolean(22), r.GetBoolean(23),
            r.GetFieldValue<string[]>(24), r.GetFieldValue<string[]>(25), r.GetFieldValue<string[]>(26), r.GetFieldValue<string[]>(27),
            id, ExpiresAtUnix: 0); // the runner sets the expiry once it knows the job's timeout
        return new ClaimedJob(id, claimId, r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), S(6),
            S(7), S(8), r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetInt32(11), G(12), G(13), S(14), S(15), S(16),
            r.GetDateTime(17), r.GetDateTime(18), r.GetDateTime(19), identity);
    }

    /// <summary>Heartbeat (spec 6.5): refreshes the ping and reports a cancel request or a lost claim.</summary>
    public async Task<(PingAnswer Answer, string? CanceledBy, string? Reason)> PingAsync(Guid id, Guid claimId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE v2_job_runtime r SET ping = now() FROM v2_job_queue q
            WHERE r.id = $1 AND q.id = $1 AND q.claim_id = $2
            RETURNING q.canceled_by, q.canceled_reason
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = claimId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return (PingAnswer.ClaimLost, null, null);
        return r.IsDBNull(0) ? (PingAnswer.Running, null, null) : (PingAnswer.CancelRequested, r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
    }

    public async Task AppendLogsAsync(Guid id, string workspace, string text, CancellationToken ct)
    {
        if (text.Length == 0) return;
        await using var cmd = db.CreateCommand("""
            INSERT INTO job_logs (job_id, workspace_id, logs) VALUES ($1, $2, $3)
            ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Completes a claimed job in one statement: the queue row goes, the completed row appears, waiters are
    /// notified. False when the claim is no longer ours (already completed, or restarted elsewhere).
    /// </summary>
    /// <param name="lastLogs">Output not yet flushed, written in the same statement.</param>
    public Task<bool> CompleteAsync(Guid id, Guid claimId, string worker, JobOutcome outcome, string lastLogs, CancellationToken ct) =>
        FinishAsync("id = $1 AND claim_id = $2", id, claimId, worker, outcome, ct, lastLogs);

    /// <summary>
    /// Hands a claimed job back to the queue (worker shutting down): it waits again, undispatched, and the
    /// dispatcher leader puts it back on the bus for another worker.
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid id, Guid claimId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE v2_job_queue SET running = false, started_at = NULL, worker = NULL, claim_id = NULL, dispatched_at = NULL
            WHERE id = $1 AND claim_id = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = claimId });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Completes a job only while it still waits (e.g. a queued job canceled); false once a worker has it.</summary>
    public Task<bool> CompleteWaitingAsync(Guid id, JobOutcome outcome, CancellationToken ct) =>
        FinishAsync("id = $1 AND running = false AND $2::uuid IS NULL", id, null, null, outcome, ct);

    /// <summary>Completes a job whatever its state (force cancel, or a zombie over its restart limit).</summary>
    public Task<bool> ForceCompleteAsync(Guid id, JobOutcome outcome, CancellationToken ct) =>
        FinishAsync("id = $1 AND $2::uuid IS NULL", id, null, null, outcome, ct);

    private async Task<bool> FinishAsync(string where, Guid id, Guid? claimId, string? worker, JobOutcome outcome, CancellationToken ct,
        string lastLogs = "")
    {
        await using var cmd = db.CreateCommand($"""
            WITH gone AS (
                DELETE FROM v2_job_queue WHERE {where} RETURNING workspace_id, started_at, notify_completion
            ), done AS (
                INSERT INTO v2_job_completed (id, workspace_id, duration_ms, result, status, canceled_by, canceled_reason, started_at, worker)
                SELECT $1, workspace_id, coalesce((extract(epoch FROM now() - started_at) * 1000)::bigint, 0), $3::jsonb, $4, $5, $6, started_at, $7
                FROM gone
                RETURNING id, (SELECT notify_completion FROM gone) AS notify
            ), logs AS (
                INSERT INTO job_logs (job_id, workspace_id, logs)
                SELECT $1, workspace_id, $8 FROM gone WHERE $8 <> ''
                ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            )
            SELECT CASE WHEN notify THEN pg_notify('{CompletedChannel}', id::text) END FROM done
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)claimId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = outcome.ResultJson });
        cmd.Parameters.Add(new NpgsqlParameter { Value = outcome.Status });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.CanceledBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.CanceledReason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)worker ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        cmd.Parameters.Add(new NpgsqlParameter { Value = lastLogs, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct);
    }
}
