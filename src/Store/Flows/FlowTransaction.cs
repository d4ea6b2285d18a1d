using System.Text.Json.Nodes;
using Npgsql;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Store.Flows;

/// <summary>How a step job ended, as its flow reads it.</summary>
public sealed record StepOutcome(string Status, JsonNode? Result)
{
    public bool Succeeded => Status is JobStatus.Success or JobStatus.Skipped;
}

/// <summary>A saved script as a flow step needs it.</summary>
public sealed record StepScript(long Hash, string Path, string Language, string? Tag, int? Timeout, string ExtraPerms);

/// <summary>
/// One advance of one flow (spec 7.4), in one transaction: the flow's queue row is locked under the
/// worker's claim, its steps' outcomes are read, new steps are written with the new status, and the flow
/// is parked (waiting for steps) or completed. Either all of it happens or none, so a worker dying
/// mid-advance loses nothing and the next advance starts from the same state.
/// </summary>
public sealed class FlowTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly Guid _id;
    private readonly Guid _claimId;

    private FlowTransaction(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, Guid claimId)
    {
        _conn = conn;
        _tx = tx;
        _id = id;
        _claimId = claimId;
    }

    public string? CanceledBy { get; private set; }
    public string? CanceledReason { get; private set; }
    public JsonObject? Status { get; private set; }

    /// <summary>Locks the flow under this claim; null when the claim is no longer ours.</summary>
    public static async Task<FlowTransaction?> BeginAsync(NpgsqlDataSource db, Guid id, Guid claimId, CancellationToken ct)
    {
        var conn = await db.OpenConnectionAsync(ct);
        var tx = await conn.BeginTransactionAsync(ct);
        var flow = new FlowTransaction(conn, tx, id, claimId);
        await using var cmd = flow.Command("""
            SELECT q.canceled_by, q.canceled_reason, s.flow_status::text
            FROM v2_job_queue q LEFT JOIN v2_job_status s ON s.id = q.id
            WHERE q.id = $1 AND q.claim_id = $2 FOR UPDATE OF q
            """, id, claimId);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                await r.DisposeAsync();
                await flow.DisposeAsync();
                return null;
            }
            flow.CanceledBy = r.IsDBNull(0) ? null : r.GetString(0);
            flow.CanceledReason = r.IsDBNull(1) ? null : r.GetString(1);
            flow.Status = r.IsDBNull(2) ? null : JsonNode.Parse(r.GetString(2)) as JsonObject;
        }
        return flow;
    }

    /// <summary>The outcomes of the given step jobs that have completed.</summary>
    public async Task<Dictionary<Guid, StepOutcome>> OutcomesAsync(IReadOnlyCollection<Guid> jobs, CancellationToken ct)
    {
        var outcomes = new Dictionary<Guid, StepOutcome>();
        if (jobs.Count == 0) return outcomes;
        await using var cmd = Command("SELECT id, status, result::text FROM v2_job_completed WHERE id = ANY($1)", jobs.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            outcomes[r.GetGuid(0)] = new StepOutcome(r.GetString(1), r.IsDBNull(2) ? null : JsonNode.Parse(r.GetString(2)));
        return outcomes;
    }

    /// <summary>The parent and flow status of another flow job (an enclosing flow, for <c>results</c> of outer steps).</summary>
    public async Task<(Guid? Parent, JsonObject? Status)> AncestorAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = Command("""
            SELECT j.parent_job, coalesce(s.flow_status, c.flow_status)::text
            FROM v2_job j LEFT JOIN v2_job_status s ON s.id = j.id LEFT JOIN v2_job_completed c ON c.id = j.id
            WHERE j.id = $1
            """, id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return (null, null);
        return (r.IsDBNull(0) ? null : r.GetGuid(0), r.IsDBNull(1) ? null : JsonNode.Parse(r.GetString(1)) as JsonObject);
    }

    /// <summary>The saved script a <c>script</c> step runs: by hash, else the live version at the path.</summary>
    public async Task<StepScript?> ScriptAsync(string workspace, string path, long? hash, CancellationToken ct)
    {
        await using var cmd = hash is { } h
            ? Command("SELECT hash, path, language, tag, timeout, extra_perms::text FROM script WHERE workspace_id = $1 AND hash = $2 AND NOT deleted",
                workspace, h)
            : Command("""
                SELECT hash, path, language, tag, timeout, extra_perms::text FROM script
                WHERE workspace_id = $1 AND path = $2 AND NOT archived AND NOT deleted
                """, workspace, path);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new StepScript(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetInt32(4), r.GetString(5));
    }

    /// <summary>The live value of a flow a <c>flow</c> step runs, with its ACL.</summary>
    public async Task<(string Value, string ExtraPerms)?> SubFlowAsync(string workspace, string path, CancellationToken ct)
    {
        await using var cmd = Command("SELECT value::text, extra_perms::text FROM flow WHERE workspace_id = $1 AND path = $2 AND NOT archived",
            workspace, path);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetString(1)) : null;
    }

    /// <summary>
    /// True when the flow's schedule forbids overlap (<c>no_flow_overlap</c>) and another run of that schedule
    /// is still running (spec 8.3 step 7).
    /// </summary>
    public async Task<bool> OverlapsAsync(string workspace, string schedulePath, CancellationToken ct)
    {
        await using var cmd = Command("""
            SELECT EXISTS (SELECT 1 FROM schedule WHERE workspace_id = $1 AND path = $2 AND no_flow_overlap)
               AND EXISTS (SELECT 1 FROM v2_job j JOIN v2_job_queue q ON q.id = j.id
                           WHERE j.workspace_id = $1 AND j.trigger_kind = 'schedule' AND j.trigger = $2 AND j.parent_job IS NULL
                             AND q.running AND j.id <> $3)
            """, workspace, schedulePath, _id);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Writes new step jobs, and the initial status of the ones that are flows themselves.</summary>
    public async Task PushAsync(IReadOnlyList<NewJob> jobs, IReadOnlyDictionary<Guid, JsonObject> statuses, CancellationToken ct)
    {
        await JobQueueWriter.EnqueueAsync(jobs, _conn, _tx, ct);
        foreach (var (id, status) in statuses) await SaveStatusAsync(id, status, ct);
    }

    public Task SaveStatusAsync(JsonObject status, CancellationToken ct) => SaveStatusAsync(_id, status, ct);

    private async Task SaveStatusAsync(Guid id, JsonObject status, CancellationToken ct)
    {
        await using var cmd = Command("""
            INSERT INTO v2_job_status (id, flow_status) VALUES ($1, $2::jsonb)
            ON CONFLICT (id) DO UPDATE SET flow_status = EXCLUDED.flow_status
            """, id, status.ToJsonString());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Leaves the flow running without a claim until one of its steps completes and wakes it.</summary>
    public async Task ParkAsync(CancellationToken ct)
    {
        await using var cmd = Command("UPDATE v2_job_queue SET claim_id = NULL, worker = NULL WHERE id = $1 AND claim_id = $2", _id, _claimId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Completes the flow with its final status, and wakes the flow around it, if any.</summary>
    public async Task<Completed> CompleteAsync(JobOutcome outcome, JsonObject status, string worker, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(_conn, _tx);
        var finish = new NpgsqlBatchCommand($"""
            WITH gone AS (
                DELETE FROM v2_job_queue WHERE id = $1 AND claim_id = $2 RETURNING workspace_id, started_at, notify_completion
            ), done AS (
                INSERT INTO v2_job_completed (id, workspace_id, duration_ms, result, status, canceled_by, canceled_reason, started_at, worker,
                    flow_status)
                SELECT $1, workspace_id, coalesce((extract(epoch FROM now() - started_at) * 1000)::bigint, 0), $3::jsonb, $4, $5, $6,
                    started_at, $7, $8::jsonb
                FROM gone
                RETURNING id, (SELECT notify_completion FROM gone) AS notify
            ), status AS (
                DELETE FROM v2_job_status WHERE id = $1
            )
            SELECT id, CASE WHEN notify THEN pg_notify('{JobClaims.CompletedChannel}', id::text) END FROM done
            """);
        foreach (var v in new object?[] { _id, _claimId, outcome.ResultJson, outcome.Status, outcome.CanceledBy, outcome.CanceledReason, worker,
                     status.ToJsonString() })
            finish.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        finish.Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        finish.Parameters[5].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        batch.BatchCommands.Add(finish);
        ParentWakeup.AddTo(batch, [_id]);
        await using var r = await batch.ExecuteReaderAsync(ct);
        var done = await r.ReadAsync(ct);
        return new Completed(done, await ParentWakeup.ReadAsync(r, ct));
    }

    public Task CommitAsync(CancellationToken ct) => _tx.CommitAsync(ct);

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var cmd = new NpgsqlCommand(sql, _conn, _tx);
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        return cmd;
    }

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _conn.DisposeAsync();
    }
}
