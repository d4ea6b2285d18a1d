using System.Text;
using Npgsql;

namespace Windmill.Jobs.Store.Jobs;

/// <summary>A job as the read routes show it: its definition plus its queue or completion state.</summary>
public sealed record JobView(
    Guid Id, string WorkspaceId, string Kind, string CreatedBy, DateTime CreatedAt, string PermissionedAs, string Email,
    long? RunnableId, string? RunnablePath, Guid? ParentJob, Guid? RootJob, Guid? FlowInnermostRootJob, string? FlowStepId,
    string? Language, string? RawCode, string? ArgsJson, string Tag, string? SchedulePath, short? Priority, bool VisibleToOwner,
    bool Completed, DateTime? StartedAt, DateTime? ScheduledFor, bool Running, string? CanceledBy, string? CanceledReason,
    string? ResultJson, string? Status, long? DurationMs, DateTime? CompletedAt, string? Worker, DateTime? LastPing);

/// <summary>Filters of <c>jobs/list</c> (spec 6.10).</summary>
public sealed record JobFilter(
    string WorkspaceId, string? CreatedBy = null, string? ScriptPathExact = null, string? ScriptPathStart = null,
    string? SchedulePath = null, string[]? JobKinds = null, bool? Success = null, bool? Running = null,
    bool? ScheduledForBeforeNow = null, DateTime? CreatedBefore = null, DateTime? CreatedAfter = null,
    string? Tag = null, Guid? ParentJob = null, bool? OnlyQueued = null, bool? OnlyCompleted = null,
    int Offset = 0, int Limit = 1000);

/// <summary>Reads jobs for the API: one job with its state, logs, lists with filters, the queue count.</summary>
public sealed class JobReader(NpgsqlDataSource db)
{
    private const string Select = """
        SELECT j.id, j.workspace_id, j.kind, j.created_by, j.created_at, j.permissioned_as, j.permissioned_as_email,
               j.runnable_id, j.runnable_path, j.parent_job, j.root_job, j.flow_innermost_root_job, j.flow_step_id,
               j.script_lang, j.raw_code, j.args::text, j.tag, CASE WHEN j.trigger_kind = 'schedule' THEN j.trigger END,
               j.priority, j.visible_to_owner,
               c.id IS NOT NULL, coalesce(c.started_at, q.started_at), q.scheduled_for, coalesce(q.running, false),
               coalesce(c.canceled_by, q.canceled_by), coalesce(c.canceled_reason, q.canceled_reason),
               c.result::text, c.status, c.duration_ms, c.completed_at, coalesce(c.worker, q.worker), rt.ping
        FROM v2_job j
        LEFT JOIN v2_job_queue q ON q.id = j.id
        LEFT JOIN v2_job_completed c ON c.id = j.id
        LEFT JOIN v2_job_runtime rt ON rt.id = j.id
        """;

    public async Task<JobView?> GetAsync(string workspace, Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(Select + " WHERE j.id = $1 AND j.workspace_id = $2 AND (q.id IS NOT NULL OR c.id IS NOT NULL)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public async Task<List<JobView>> ListAsync(JobFilter f, CancellationToken ct)
    {
        var where = new StringBuilder(" WHERE j.workspace_id = $1 AND (q.id IS NOT NULL OR c.id IS NOT NULL)");
        var args = new List<object> { f.WorkspaceId };
        void Add(string clause, object value) { args.Add(value); where.Append(' ').Append(clause.Replace("@", "$" + args.Count)); }
        if (f.CreatedBy is not null) Add("AND j.created_by = @", f.CreatedBy);
        if (f.ScriptPathExact is not null) Add("AND j.runnable_path = @", f.ScriptPathExact);
        if (f.ScriptPathStart is not null) Add("AND j.runnable_path LIKE @ || '%'", f.ScriptPathStart);
        if (f.SchedulePath is not null) Add("AND j.trigger_kind = 'schedule' AND j.trigger = @", f.SchedulePath);
        if (f.JobKinds is not null) Add("AND j.kind = ANY(@)", f.JobKinds);
        if (f.Success is not null) Add("AND (c.status = 'success') = @", f.Success.Value);
        if (f.Running is not null) Add("AND coalesce(q.running, false) = @", f.Running.Value);
        if (f.ScheduledForBeforeNow == true) where.Append(" AND (q.id IS NULL OR q.scheduled_for <= now())");
        if (f.CreatedBefore is not null) Add("AND j.created_at < @", f.CreatedBefore.Value);
        if (f.CreatedAfter is not null) Add("AND j.created_at > @", f.CreatedAfter.Value);
        if (f.Tag is not null) Add("AND j.tag = @", f.Tag);
        if (f.ParentJob is not null) Add("AND j.parent_job = @", f.ParentJob.Value);
        if (f.OnlyQueued == true) where.Append(" AND q.id IS NOT NULL");
        if (f.OnlyCompleted == true) where.Append(" AND c.id IS NOT NULL");
        args.Add(f.Limit);
        args.Add(f.Offset);
        await using var cmd = db.CreateCommand(Select + where + $" ORDER BY j.created_at DESC, j.id LIMIT ${args.Count - 1} OFFSET ${args.Count}");
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        var jobs = new List<JobView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) jobs.Add(Read(r));
        return jobs;
    }

    /// <summary>A flow job's definition and status: live while it runs, the final one once completed.</summary>
    public async Task<(string? RawFlow, string? FlowStatus)> FlowAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT j.raw_flow::text, coalesce(s.flow_status, c.flow_status)::text
            FROM v2_job j LEFT JOIN v2_job_status s ON s.id = j.id LEFT JOIN v2_job_completed c ON c.id = j.id
            WHERE j.id = $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return (null, null);
        return (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
    }

    public async Task<string?> LogsAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT logs FROM job_logs WHERE job_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task<bool> IsCompletedAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM v2_job_completed WHERE id = $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>True while the job is queued or running: job tokens die with their job.</summary>
    public async Task<bool> IsLiveAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM v2_job_queue WHERE id = $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<long> QueueLengthAsync(string workspace, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM v2_job_queue WHERE workspace_id = $1 AND running = false");
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Every descendant of a job (flow steps), at most 500 levels deep, as cancel needs (spec 6.10).</summary>
    public async Task<List<Guid>> DescendantsAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            WITH RECURSIVE d(id, depth) AS (
                SELECT id, 1 FROM v2_job WHERE parent_job = $1
                UNION ALL SELECT j.id, d.depth + 1 FROM v2_job j JOIN d ON j.parent_job = d.id WHERE d.depth < 500
            ) SELECT d.id FROM d JOIN v2_job_queue q ON q.id = d.id
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add(r.GetGuid(0));
        return ids;
    }

    /// <summary>Soft cancel of a running job: the worker sees it on its next ping.</summary>
    public async Task<bool> RequestCancelAsync(Guid id, string by, string reason, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE v2_job_queue SET canceled_by = $2, canceled_reason = $3, scheduled_for = least(scheduled_for, now()) WHERE id = $1 RETURNING id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = by });
        cmd.Parameters.Add(new NpgsqlParameter { Value = reason });
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    private static JobView Read(NpgsqlDataReader r)
    {
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        Guid? G(int i) => r.IsDBNull(i) ? null : r.GetGuid(i);
        DateTime? D(int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);
        return new JobView(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDateTime(4), r.GetString(5), r.GetString(6),
            r.IsDBNull(7) ? null : r.GetInt64(7), S(8), G(9), G(10), G(11), S(12), S(13), S(14), S(15), r.GetString(16), S(17),
            r.IsDBNull(18) ? null : r.GetInt16(18), r.GetBoolean(19), r.GetBoolean(20), D(21), D(22), r.GetBoolean(23), S(24), S(25),
            S(26), S(27), r.IsDBNull(28) ? null : r.GetInt64(28), D(29), S(30), D(31));
    }
}
