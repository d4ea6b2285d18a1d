using Npgsql;
using NpgsqlTypes;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>
/// Writes new jobs (spec 6.3): definition, queue row, heartbeat row and the pusher's permission snapshot,
/// in one round trip and one implicit transaction. Future jobs also wake the dispatcher (NOTIFY).
/// </summary>
public sealed class JobQueueWriter(NpgsqlDataSource db)
{
    public const string FutureJobChannel = "wmj_future_job";

    public async Task EnqueueAsync(NewJob job, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO v2_job (id, workspace_id, created_at, created_by, permissioned_as, permissioned_as_email, kind, runnable_id,
                runnable_path, parent_job, root_job, flow_step_id, script_lang, raw_code, args, tag, trigger, trigger_kind, timeout,
                priority, visible_to_owner)
            VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17, $18, $19, $20)
            """,
            job.Id, job.WorkspaceId, job.CreatedBy, job.PermissionedAs, job.Email, job.Kind, (object?)job.RunnableId,
            job.RunnablePath, job.ParentJob, job.RootJob, job.FlowStepId, job.Language, job.RawCode, job.ArgsJson, job.Tag,
            job.Trigger, job.TriggerKind, job.Timeout, job.Priority, job.VisibleToOwner));
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO v2_job_queue (id, workspace_id, created_at, scheduled_for, tag, priority, notify_completion) VALUES ($1, $2, now(), $3, $4, $5, $6)
            """, job.Id, job.WorkspaceId, job.ScheduledFor, job.Tag, job.Priority, job.NotifyCompletion));
        batch.BatchCommands.Add(Cmd("INSERT INTO v2_job_runtime (id) VALUES ($1)", job.Id));
        var who = job.Identity;
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO job_perms (job_id, workspace_id, email, username, is_admin, is_operator, groups, folders_read, folders_write, folders_owned)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, job.Id, job.WorkspaceId, who.Email, who.Username, who.IsAdmin, who.IsOperator, who.Groups.ToArray(),
            who.FoldersRead.ToArray(), who.FoldersWrite.ToArray(), who.FoldersOwned.ToArray()));
        if (job.ScheduledFor > DateTime.UtcNow)
            batch.BatchCommands.Add(Cmd($"SELECT pg_notify('{FutureJobChannel}', '')"));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records that the broker confirmed these jobs' dispatch messages.</summary>
    public async Task MarkDispatchedAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var cmd = db.CreateCommand("UPDATE v2_job_queue SET dispatched_at = now() WHERE id = ANY($1) AND running = false");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static NpgsqlBatchCommand Cmd(string sql, params object?[] values)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var v in values) c.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        return c;
    }
}
