using Npgsql;
using Windmill.Jobs.Core.Concurrency;
using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>
/// The worker's side of the queue: claim a job (one conditional UPDATE, so a duplicate delivery claims
/// nothing), ping it, append its logs, and complete it. Only the holder of the current claim may complete
/// a job, so a worker that lost its claim (restarted as a zombie elsewhere) can never complete it twice.
/// </summary>
public sealed class JobClaims
{
    public const string CompletedChannel = "wmj_job_completed";

    // A duplicate delivery of one id within a batch joins the row twice; the UPDATE applies one claim, and
    // RETURNING says which, so exactly one caller gets the job.
    private const string ClaimSql = """
        WITH claimed AS (
            UPDATE v2_job_queue q SET running = true, started_at = coalesce(q.started_at, now()), worker = c.worker, claim_id = c.claim_id
            FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS c(id, claim_id, worker)
            WHERE q.id = c.id AND q.running = false AND q.scheduled_for <= now()
            RETURNING q.id, q.claim_id, q.started_at, q.scheduled_for
        ), pinged AS (
            UPDATE v2_job_runtime SET ping = now() WHERE id IN (SELECT id FROM claimed)
        )
        SELECT j.id, j.workspace_id, j.kind, j.created_by, j.permissioned_as, j.permissioned_as_email, j.runnable_path,
               coalesce(j.script_lang, s.language), coalesce(j.raw_code, s.content), coalesce(j.args, '{}'::jsonb)::text, j.tag,
               j.timeout, j.parent_job, j.root_job, parent.runnable_path, j.flow_step_id,
               CASE WHEN j.trigger_kind = 'schedule' THEN j.trigger END,
               c.scheduled_for, j.created_at, c.started_at,
               p.email, p.username, p.is_admin, p.is_operator, p.groups, p.folders_read, p.folders_write, p.folders_owned, c.claim_id, j.raw_flow::text, j.trace_parent
        FROM claimed c
        JOIN v2_job j ON j.id = c.id
        JOIN job_perms p ON p.job_id = j.id
        LEFT JOIN script s ON s.workspace_id = j.workspace_id AND s.hash = j.runnable_id AND j.kind = 'script'
        LEFT JOIN v2_job parent ON parent.id = j.parent_job
        """;

    private readonly NpgsqlDataSource _db;
    private readonly Coalescer<(Guid Id, string Worker), ClaimedJob?> _claims;
    private readonly Coalescer<Completion, Completed> _completions;

    public JobClaims(NpgsqlDataSource db)
    {
        _db = db;
        // A worker's slots claim and complete at the same moments: they share round trips and commits.
        _claims = new Coalescer<(Guid Id, string Worker), ClaimedJob?>(ClaimBatchAsync, maxBatch: 200, lanes: 2);
        _completions = new Coalescer<Completion, Completed>(CompleteBatchAsync, maxBatch: 200, lanes: 2);
    }

    /// <summary>Claims a waiting, due job; null when someone else has it, it is not due, or it is gone.</summary>
    public Task<ClaimedJob?> ClaimAsync(Guid id, string worker, CancellationToken ct) => _claims.RunAsync((id, worker), ct);

    private async Task<IReadOnlyList<ClaimedJob?>> ClaimBatchAsync(IReadOnlyList<(Guid Id, string Worker)> wanted, CancellationToken ct)
    {
        var claimIds = wanted.Select(_ => Guid.NewGuid()).ToArray();
        await using var cmd = _db.CreateCommand(ClaimSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = wanted.Select(w => w.Id).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = claimIds });
        cmd.Parameters.Add(new NpgsqlParameter { Value = wanted.Select(w => w.Worker).ToArray() });
        var byClaim = new Dictionary<Guid, ClaimedJob>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var job = ReadClaimed(r);
            byClaim[job.ClaimId] = job;
        }
        return claimIds.Select(c => byClaim.GetValueOrDefault(c)).ToList();
    }

    private static ClaimedJob ReadClaimed(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        Guid? G(int i) => r.IsDBNull(i) ? null : r.GetGuid(i);
        var id = r.GetGuid(0);
        var identity = new JobTokenClaims(r.GetString(1), r.GetString(21), r.GetString(20), r.GetBoolean(22), r.GetBoolean(23),
            r.GetFieldValue<string[]>(24), r.GetFieldValue<string[]>(25), r.GetFieldValue<string[]>(26), r.GetFieldValue<string[]>(27),
            id, ExpiresAtUnix: 0); // the runner sets the expiry once it knows the job's timeout
        return new ClaimedJob(id, r.GetGuid(28), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), S(6),
            S(7), S(8), r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetInt32(11), G(12), G(13), S(14), S(15), S(16),
            r.GetDateTime(17), r.GetDateTime(18), r.GetDateTime(19), identity, S(29), S(30));
    }

    /// <summary>Heartbeat (spec 6.5): refreshes the ping and reports a cancel request or a lost claim.</summary>
    public async Task<(PingAnswer Answer, string? CanceledBy, string? Reason)> PingAsync(Guid id, Guid claimId, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
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
        await using var cmd = _db.CreateCommand("""
            INSERT INTO job_logs (job_id, workspace_id, logs) VALUES ($1, $2, $3)
            ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Completes a claimed job: the queue row goes, the completed row appears, waiters are notified, and a
    /// flow parked on this step is woken (see <see cref="ParentWakeup"/>). Not completed when the claim is no
    /// longer ours (already completed, or restarted elsewhere).
    /// </summary>
    /// <param name="lastLogs">Output not yet flushed, written in the same statement.</param>
    /// <param name="hasParent">The job has a parent (a flow step): only then is a parked parent woken; other completions skip that work.</param>
    public Task<Completed> CompleteAsync(Guid id, Guid claimId, string worker, JobOutcome outcome, string lastLogs, bool hasParent,
        CancellationToken ct) =>
        _completions.RunAsync(new Completion(id, claimId, worker, outcome, lastLogs, hasParent), ct);

    private sealed record Completion(Guid Id, Guid ClaimId, string Worker, JobOutcome Outcome, string LastLogs, bool HasParent);

    private async Task<IReadOnlyList<Completed>> CompleteBatchAsync(IReadOnlyList<Completion> batch, CancellationToken ct)
    {
        var ids = batch.Select(c => c.Id).ToArray();
        await using var sql = _db.CreateBatch();
        var finish = new NpgsqlBatchCommand($"""
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                    AS i(id, claim_id, result, status, canceled_by, canceled_reason, worker, logs)
            ), gone AS (
                DELETE FROM v2_job_queue q USING input i WHERE q.id = i.id AND q.claim_id = i.claim_id
                RETURNING q.id, q.workspace_id, q.started_at, q.notify_completion
            ), done AS (
                INSERT INTO v2_job_completed (id, workspace_id, duration_ms, result, status, canceled_by, canceled_reason, started_at, worker)
                SELECT g.id, g.workspace_id, coalesce((extract(epoch FROM now() - g.started_at) * 1000)::bigint, 0), i.result::jsonb,
                    i.status, i.canceled_by, i.canceled_reason, g.started_at, i.worker
                FROM gone g JOIN input i ON i.id = g.id
            ), logs AS (
                INSERT INTO job_logs (job_id, workspace_id, logs)
                SELECT g.id, g.workspace_id, i.logs FROM gone g JOIN input i ON i.id = g.id WHERE i.logs <> ''
                ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            )
            SELECT id, CASE WHEN notify_completion THEN pg_notify('{CompletedChannel}', id::text) END FROM gone
            """);
        finish.Parameters.Add(new NpgsqlParameter { Value = ids });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.ClaimId).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.Outcome.ResultJson).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.Outcome.Status).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.Outcome.CanceledBy).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.Outcome.CanceledReason).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.Worker).ToArray() });
        finish.Parameters.Add(new NpgsqlParameter { Value = batch.Select(c => c.LastLogs).ToArray() });
        sql.BatchCommands.Add(finish);
        var steps = batch.Where(c => c.HasParent).Select(c => c.Id).ToArray();
        if (steps.Length > 0) ParentWakeup.AddTo(sql, steps);
        var completed = new HashSet<Guid>();
        await using var r = await sql.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) completed.Add(r.GetGuid(0));
        var woken = steps.Length > 0 ? await ParentWakeup.ReadAsync(r, ct) : [];
        return batch.Select((c, i) => new Completed(completed.Contains(c.Id), i == 0 ? woken : [])).ToList();
    }

    /// <summary>Records a completed root flow's custom state (spec 5) in its final <c>flow_status.user_states</c>.</summary>
    public async Task RecordUserStatesAsync(Guid id, string statesJson, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
            UPDATE v2_job_completed SET flow_status = jsonb_set(coalesce(flow_status, '{}'::jsonb), '{user_states}', $2::jsonb) WHERE id = $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = statesJson });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Hands a claimed job back to the queue (worker shutting down): it waits again, undispatched, and the
    /// dispatcher leader puts it back on the bus for another worker.
    /// </summary>
    public async Task<bool> ReleaseAsync(Guid id, Guid claimId, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
            UPDATE v2_job_queue SET running = false, started_at = NULL, worker = NULL, claim_id = NULL, dispatched_at = NULL
            WHERE id = $1 AND claim_id = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = claimId });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Completes a job only while nobody works on it: still waiting (e.g. a queued job canceled), or a flow
    /// parked on its steps. Not once a worker has claimed it.
    /// </summary>
    public Task<Completed> CompleteWaitingAsync(Guid id, JobOutcome outcome, CancellationToken ct) =>
        FinishAsync("id = $1 AND (running = false OR claim_id IS NULL) AND $2::uuid IS NULL", id, null, null, outcome, ct);

    /// <summary>Completes a job whatever its state (force cancel, a zombie over its restart limit, a parked flow canceled).</summary>
    public Task<Completed> ForceCompleteAsync(Guid id, JobOutcome outcome, CancellationToken ct) =>
        FinishAsync("id = $1 AND $2::uuid IS NULL", id, null, null, outcome, ct);

    private async Task<Completed> FinishAsync(string where, Guid id, Guid? claimId, string? worker, JobOutcome outcome, CancellationToken ct,
        string lastLogs = "")
    {
        await using var sql = _db.CreateBatch();
        var finish = new NpgsqlBatchCommand($"""
            WITH gone AS (
                DELETE FROM v2_job_queue WHERE {where} RETURNING workspace_id, started_at, notify_completion
            ), status AS (
                DELETE FROM v2_job_status WHERE id = $1 AND EXISTS (SELECT 1 FROM gone) RETURNING flow_status
            ), done AS (
                INSERT INTO v2_job_completed (id, workspace_id, duration_ms, result, status, canceled_by, canceled_reason, started_at, worker,
                    flow_status)
                SELECT $1, workspace_id, coalesce((extract(epoch FROM now() - started_at) * 1000)::bigint, 0), $3::jsonb, $4, $5, $6, started_at, $7,
                    (SELECT flow_status FROM status)
                FROM gone
                RETURNING id, (SELECT notify_completion FROM gone) AS notify
            ), logs AS (
                INSERT INTO job_logs (job_id, workspace_id, logs)
                SELECT $1, workspace_id, $8 FROM gone WHERE $8 <> ''
                ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || EXCLUDED.logs
            )
            SELECT id, CASE WHEN notify THEN pg_notify('{CompletedChannel}', id::text) END FROM done
            """);
        finish.Parameters.Add(new NpgsqlParameter { Value = id });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)claimId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        finish.Parameters.Add(new NpgsqlParameter { Value = outcome.ResultJson });
        finish.Parameters.Add(new NpgsqlParameter { Value = outcome.Status });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.CanceledBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.CanceledReason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)worker ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        finish.Parameters.Add(new NpgsqlParameter { Value = lastLogs, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        sql.BatchCommands.Add(finish);
        ParentWakeup.AddTo(sql, [id]);
        await using var r = await sql.ExecuteReaderAsync(ct);
        var completed = await r.ReadAsync(ct);
        return new Completed(completed, await ParentWakeup.ReadAsync(r, ct));
    }
}
