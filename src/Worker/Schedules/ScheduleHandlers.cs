using System.Text.Json.Nodes;
using Npgsql;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Worker.Schedules;

/// <summary>
/// After a scheduled run ends (spec 8.3 step 8): <c>on_failure</c> when the failures in a row reach
/// <c>on_failure_times</c> (exactly that many with <c>on_failure_exact</c>), <c>on_recovery</c> on the first
/// success after at least <c>on_recovery_times</c> failures, <c>on_success</c> after each success. A handler
/// is a script or flow (<c>script/…</c>, <c>flow/…</c>) run with the schedule's identity and Windmill's
/// handler arguments plus the schedule's extra arguments.
/// </summary>
public sealed class ScheduleHandlers(NpgsqlDataSource db, JobQueueWriter writer, JobDispatcher dispatcher, ILogger<ScheduleHandlers> log)
{
    private sealed record ScheduleRow(string Path, string ScriptPath, bool IsFlow, string? OnFailure, int FailureTimes, bool FailureExact,
        string? FailureExtra, string? OnRecovery, int RecoveryTimes, string? RecoveryExtra, string? OnSuccess, string? SuccessExtra);

    /// <summary>Runs the handlers a root job of a schedule calls for; a handler that cannot be pushed is logged, never fatal.</summary>
    public async Task AfterCompletionAsync(ClaimedJob job, JobOutcome outcome)
    {
        if (job.SchedulePath is not { } path || job.ParentJob is not null) return;
        try
        {
            if (await ScheduleAsync(job.WorkspaceId, path) is not { } s) return;
            if (s.OnFailure is null && s.OnRecovery is null && s.OnSuccess is null) return;
            var runs = await RecentRunsAsync(job.WorkspaceId, path, job.Id);
            var failuresInRow = runs.TakeWhile(r => !r.Success).Count();
            var baseArgs = new JsonObject
            {
                ["workspace_id"] = job.WorkspaceId, ["job_id"] = job.Id.ToString(), ["path"] = s.ScriptPath, ["is_flow"] = s.IsFlow,
                ["schedule_path"] = path,
            };
            var succeeded = outcome.Status is JobStatus.Success or JobStatus.Skipped;
            if (!succeeded && s.OnFailure is { } onFailure)
            {
                var failed = failuresInRow + 1;
                if (s.FailureExact ? failed == s.FailureTimes : failed >= s.FailureTimes)
                {
                    var args = Merge(baseArgs, s.FailureExtra);
                    args["error"] = ErrorOf(outcome.ResultJson);
                    args["started_at"] = job.StartedAt;
                    args["failed_times"] = failed;
                    await PushAsync(job, onFailure, args);
                }
            }
            if (succeeded && s.OnRecovery is { } onRecovery && failuresInRow >= s.RecoveryTimes && runs.FirstOrDefault() is { Success: false } lastError)
            {
                var args = Merge(baseArgs, s.RecoveryExtra);
                args["error"] = ErrorOf(lastError.ResultJson);
                args["error_job_id"] = lastError.Id.ToString();
                args["error_started_at"] = lastError.StartedAt;
                args["success_times"] = 1;
                args["success_result"] = JsonNode.Parse(outcome.ResultJson);
                args["success_started_at"] = job.StartedAt;
                await PushAsync(job, onRecovery, args);
            }
            if (succeeded && s.OnSuccess is { } onSuccess)
            {
                var args = Merge(baseArgs, s.SuccessExtra);
                args["success_result"] = JsonNode.Parse(outcome.ResultJson);
                args["success_started_at"] = job.StartedAt;
                await PushAsync(job, onSuccess, args);
            }
        }
        catch (Exception e)
        {
            log.LogWarning(e, "the handlers of schedule {Path} for job {JobId} could not be pushed", path, job.Id);
        }
    }

    private static JsonObject Merge(JsonObject args, string? extraJson)
    {
        var merged = args.DeepClone().AsObject();
        if (extraJson is not null && JsonNode.Parse(extraJson) is JsonObject extra)
            foreach (var (k, v) in extra) merged[k] = v?.DeepClone();
        return merged;
    }

    private static JsonNode? ErrorOf(string resultJson) =>
        JsonNode.Parse(resultJson) is JsonObject o && o["error"] is { } e ? e.DeepClone() : JsonNode.Parse(resultJson);

    private async Task<ScheduleRow?> ScheduleAsync(string workspace, string path)
    {
        await using var cmd = db.CreateCommand("""
            SELECT path, script_path, is_flow, on_failure, coalesce(on_failure_times, 1), coalesce(on_failure_exact, false),
                   on_failure_extra_args::text, on_recovery, coalesce(on_recovery_times, 1), on_recovery_extra_args::text,
                   on_success, on_success_extra_args::text
            FROM schedule WHERE workspace_id = $1 AND path = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = path });
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) return null;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new ScheduleRow(r.GetString(0), r.GetString(1), r.GetBoolean(2), S(3), r.GetInt32(4), r.GetBoolean(5), S(6), S(7),
            r.GetInt32(8), S(9), S(10), S(11));
    }

    private sealed record Run(Guid Id, bool Success, string ResultJson, DateTime? StartedAt);

    /// <summary>The schedule's earlier root runs, newest first (this one excluded).</summary>
    private async Task<List<Run>> RecentRunsAsync(string workspace, string path, Guid current)
    {
        await using var cmd = db.CreateCommand("""
            SELECT c.id, c.status IN ('success', 'skipped'), coalesce(c.result, 'null'::jsonb)::text, c.started_at
            FROM v2_job j JOIN v2_job_completed c ON c.id = j.id
            WHERE j.workspace_id = $1 AND j.trigger_kind = 'schedule' AND j.trigger = $2 AND j.parent_job IS NULL AND j.id <> $3
              AND j.kind IN ('script', 'flow')
            ORDER BY c.completed_at DESC LIMIT 100
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = path });
        cmd.Parameters.Add(new NpgsqlParameter { Value = current });
        var runs = new List<Run>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) runs.Add(new Run(r.GetGuid(0), r.GetBoolean(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDateTime(3)));
        return runs;
    }

    /// <summary>Pushes a handler (<c>script/&lt;path&gt;</c> or <c>flow/&lt;path&gt;</c>) as the schedule's identity.</summary>
    private async Task PushAsync(ClaimedJob job, string handler, JsonObject args)
    {
        var isFlow = handler.StartsWith("flow/");
        var path = handler[(isFlow ? "flow/".Length : "script/".Length)..];
        await using var cmd = db.CreateCommand(isFlow
            ? "SELECT NULL::bigint, NULL, coalesce(tag, 'flow'), value::text FROM flow WHERE workspace_id = $1 AND path = $2 AND NOT archived"
            : "SELECT hash, language, coalesce(tag, language), NULL FROM script WHERE workspace_id = $1 AND path = $2 AND NOT archived AND NOT deleted");
        cmd.Parameters.Add(new NpgsqlParameter { Value = job.WorkspaceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = path });
        long? hash;
        string? language, rawFlow;
        string tag;
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync())
            {
                log.LogWarning("schedule {Schedule}: handler {Handler} not found", job.SchedulePath, handler);
                return;
            }
            (hash, language, tag, rawFlow) = (r.IsDBNull(0) ? null : r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3));
        }
        var handlerJob = new NewJob(Guid.CreateVersion7(), job.WorkspaceId, isFlow ? JobKind.Flow : JobKind.Script, job.CreatedBy, job.PermissionedAs,
            job.Email, hash, path, language, null, args.ToJsonString(), tag, null, null, DateTime.UtcNow, job.Identity.ToIdentity(), RawFlow: rawFlow);
        await writer.EnqueueAsync(handlerJob, CancellationToken.None);
        await dispatcher.DispatchAllAsync([new DispatchItem(handlerJob.Id, tag, null)]);
    }
}
