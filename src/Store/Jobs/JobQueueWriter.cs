using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Core.Concurrency;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>
/// Writes new jobs (spec 6.3): definition, queue row, heartbeat row and the pusher's permission snapshot,
/// in one round trip and one implicit transaction per batch. Future jobs also wake the dispatcher (NOTIFY).
/// </summary>
public sealed class JobQueueWriter
{
    public const string FutureJobChannel = "wmj_future_job";

    private readonly NpgsqlDataSource _db;
    private readonly Coalescer<NewJob, bool> _enqueues;

    public JobQueueWriter(NpgsqlDataSource db)
    {
        _db = db;
        // Concurrent pushes share round trips and commits: under load one INSERT carries hundreds of jobs.
        _enqueues = new Coalescer<NewJob, bool>(async (jobs, ct) =>
        {
            await EnqueueAsync(jobs, ct);
            return Enumerable.Repeat(true, jobs.Count).ToList(); // written
        }, maxBatch: 500, lanes: 4);
    }

    /// <summary>Writes one job, grouped with whatever other jobs are being pushed at the same moment.</summary>
    public Task EnqueueAsync(NewJob job, CancellationToken ct) => _enqueues.RunAsync(Traced(job), ct);

    /// <summary>
    /// The job with the caller's span as its trace parent, taken here because the batch that writes it may run
    /// in another caller's context.
    /// </summary>
    private static NewJob Traced(NewJob job) =>
        job.TraceParent is null && Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? job with { TraceParent = a.Id } : job;

    /// <summary>
    /// Writes a batch of jobs with one multi-row INSERT per table, in one round trip and one implicit
    /// transaction: all of them or none (a duplicate id fails the whole batch).
    /// </summary>
    public async Task EnqueueAsync(IReadOnlyList<NewJob> jobs, CancellationToken ct)
    {
        if (jobs.Count == 0) return;
        await using var batch = _db.CreateBatch();
        await WriteAsync(batch, jobs, ct);
    }

    /// <summary>Writes jobs inside the caller's transaction (a flow pushing its steps with its new status).</summary>
    public static async Task EnqueueAsync(IReadOnlyList<NewJob> jobs, NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        if (jobs.Count == 0) return;
        await using var batch = new NpgsqlBatch(conn, tx);
        await WriteAsync(batch, jobs, ct);
    }

    /// <summary>Counted once written (in a caller's transaction: once sent, the commit being the caller's).</summary>
    private static async Task WriteAsync(NpgsqlBatch batch, IReadOnlyList<NewJob> jobs, CancellationToken ct)
    {
        Fill(batch, [.. jobs.Select(Traced)]);
        await batch.ExecuteNonQueryAsync(ct);
        foreach (var j in jobs) Core.Telemetry.JobMetrics.JobEnqueued(j.Tag);
    }

    private static void Fill(NpgsqlBatch batch, IReadOnlyList<NewJob> jobs)
    {
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO v2_job (id, workspace_id, created_at, created_by, permissioned_as, permissioned_as_email, kind, runnable_id,
                runnable_path, parent_job, root_job, flow_step_id, script_lang, raw_code, args, tag, trigger, trigger_kind, timeout,
                priority, visible_to_owner, raw_flow, trace_parent)
            SELECT id, workspace_id, now(), created_by, permissioned_as, email, kind, runnable_id, runnable_path, parent_job, root_job,
                flow_step_id, lang, code, args::jsonb, tag, trigger, trigger_kind, timeout, priority, visible, raw_flow::jsonb, trace_parent
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::uuid[],
                $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::int[],
                $19::smallint[], $20::boolean[], $21::text[], $22::text[])
                AS j(id, workspace_id, created_by, permissioned_as, email, kind, runnable_id, runnable_path, parent_job, root_job,
                     flow_step_id, lang, code, args, tag, trigger, trigger_kind, timeout, priority, visible, raw_flow, trace_parent)
            """,
            Column(jobs, j => j.Id), Column(jobs, j => j.WorkspaceId), Column(jobs, j => j.CreatedBy), Column(jobs, j => j.PermissionedAs),
            Column(jobs, j => j.Email), Column(jobs, j => j.Kind), Column(jobs, j => j.RunnableId), Column(jobs, j => j.RunnablePath),
            Column(jobs, j => j.ParentJob), Column(jobs, j => j.RootJob), Column(jobs, j => j.FlowStepId), Column(jobs, j => j.Language),
            Column(jobs, j => j.RawCode), Column(jobs, j => j.ArgsJson), Column(jobs, j => j.Tag), Column(jobs, j => j.Trigger),
            Column(jobs, j => j.TriggerKind), Column(jobs, j => j.Timeout), Column(jobs, j => j.Priority), Column(jobs, j => j.VisibleToOwner),
            Column(jobs, j => j.RawFlow), Column(jobs, j => j.TraceParent)));
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO v2_job_queue (id, workspace_id, created_at, scheduled_for, tag, priority, notify_completion)
            SELECT id, workspace_id, now(), coalesce(scheduled_for, now()), tag, priority, notify
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::smallint[], $6::boolean[])
                AS q(id, workspace_id, scheduled_for, tag, priority, notify)
            """, Column(jobs, j => j.Id), Column(jobs, j => j.WorkspaceId), Column(jobs, j => FutureOrNull(j.ScheduledFor)), Column(jobs, j => j.Tag),
            Column(jobs, j => j.Priority), Column(jobs, j => j.NotifyCompletion)));
        batch.BatchCommands.Add(Cmd("INSERT INTO v2_job_runtime (id) SELECT unnest($1::uuid[])", Column(jobs, j => j.Id)));
        // Permission lists differ in length per job, and unnest flattens arrays of arrays: each travels as a JSON array.
        batch.BatchCommands.Add(Cmd("""
            INSERT INTO job_perms (job_id, workspace_id, email, username, is_admin, is_operator, groups, folders_read, folders_write, folders_owned)
            SELECT id, workspace_id, email, username, is_admin, is_operator,
                ARRAY(SELECT jsonb_array_elements_text(groups::jsonb)), ARRAY(SELECT jsonb_array_elements_text(fr::jsonb)),
                ARRAY(SELECT jsonb_array_elements_text(fw::jsonb)), ARRAY(SELECT jsonb_array_elements_text(fo::jsonb))
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::text[], $8::text[], $9::text[],
                $10::text[]) AS p(id, workspace_id, email, username, is_admin, is_operator, groups, fr, fw, fo)
            """,
            Column(jobs, j => j.Id), Column(jobs, j => j.WorkspaceId), Column(jobs, j => j.Identity.Email), Column(jobs, j => j.Identity.Username),
            Column(jobs, j => j.Identity.IsAdmin), Column(jobs, j => j.Identity.IsOperator), Column(jobs, j => Json(j.Identity.Groups)),
            Column(jobs, j => Json(j.Identity.FoldersRead)), Column(jobs, j => Json(j.Identity.FoldersWrite)),
            Column(jobs, j => Json(j.Identity.FoldersOwned))));
        var now = DateTime.UtcNow;
        if (jobs.Any(j => j.ScheduledFor > now))
            batch.BatchCommands.Add(Cmd($"SELECT pg_notify('{FutureJobChannel}', '')"));
    }

    /// <summary>Records that the broker confirmed these jobs' dispatch messages.</summary>
    public async Task MarkDispatchedAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var cmd = _db.CreateCommand("UPDATE v2_job_queue SET dispatched_at = now() WHERE id = ANY($1) AND running = false");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A job due now is written with <c>scheduled_for = created_at</c> (both the store's clock), so
    /// <c>scheduled_for &gt; created_at</c> tells future jobs (dispatched by the leader when due) from jobs
    /// their pusher dispatches itself, without comparing clocks of different machines.
    /// </summary>
    private static DateTime? FutureOrNull(DateTime scheduledFor) => scheduledFor > DateTime.UtcNow ? scheduledFor : null;

    /// <summary>One column of a multi-row insert, as an array parameter for unnest.</summary>
    private static T[] Column<T>(IReadOnlyList<NewJob> jobs, Func<NewJob, T> value)
    {
        var column = new T[jobs.Count];
        for (var i = 0; i < column.Length; i++) column[i] = value(jobs[i]);
        return column;
    }

    private static string Json(IEnumerable<string> values) => System.Text.Json.JsonSerializer.Serialize(values);

    internal static NpgsqlBatchCommand Cmd(string sql, params object?[] values)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var v in values) c.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        return c;
    }
}
