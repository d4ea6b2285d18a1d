using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>What to run: a saved script version, inline code (a preview), a flow (<see cref="RawFlow"/>), or a noop/identity job.</summary>
public sealed record Runnable(
    string Kind, long? Hash, string? Path, string? Language, string? Code, string? DefaultTag, int? DefaultTimeout, JsonObject? Schema,
    short? Priority = null, string? RawFlow = null)
{
    public static Runnable Of(Script s) => new(JobKind.Script, s.Hash, s.Path, s.Language, null, s.Tag, s.Timeout,
        s.Schema is null ? null : JsonNode.Parse(s.Schema) as JsonObject, s.Priority);

    /// <summary>A flow runs on the <c>flow</c> tag unless it names another: its steps carry their own tags.</summary>
    public static Runnable Of(Flow f) => new(JobKind.Flow, null, f.Path, null, null, f.Tag ?? "flow", f.Timeout,
        f.Schema is null ? null : JsonNode.Parse(f.Schema) as JsonObject, f.Priority, f.Value);
}

/// <summary>
/// Push (spec 6.3): checks the arguments, writes the job with the caller's identity snapshot, and
/// dispatches it at once when it is due now (future jobs are dispatched by the leader when due).
/// </summary>
public sealed class JobEnqueuer(JobQueueWriter writer, JobDispatcher dispatcher, JobReader reader)
{
    /// <param name="waited">A caller waits for the result (run_wait_result): completion will notify it.</param>
    public async Task<Guid> EnqueueAsync(Authed who, Runnable runnable, JsonObject args, RunJobQuery query, CancellationToken ct,
        string? trigger = null, string? triggerKind = null, bool waited = false)
    {
        ArgumentCheck.Validate(runnable.Schema, args, runnable.Path ?? "the script");
        var tag = query.Tag ?? runnable.DefaultTag ?? (runnable.Language is { } l ? ScriptLanguage.DefaultTag(l) : "other");
        Names.CheckSimpleName(tag, "tag");
        if (query.QueueLimit is { } limit && await reader.QueueLengthAsync(who.Workspace, ct) >= limit)
            throw WindmillError.BadRequest($"queue limit of {limit} jobs reached");
        var now = DateTime.UtcNow;
        var job = new NewJob(
            query.JobId ?? Guid.CreateVersion7(), who.Workspace, runnable.Kind, who.Username, "u/" + who.Username, who.Identity.Email,
            runnable.Hash, runnable.Path, runnable.Language, runnable.Code, args.ToJsonString(), tag, runnable.Priority,
            query.Timeout ?? runnable.DefaultTimeout, query.ScheduledTime(now), who.Identity,
            ParentJob: query.ParentJob, RootJob: query.RootJob, Trigger: trigger, TriggerKind: triggerKind,
            VisibleToOwner: !query.InvisibleToOwner, NotifyCompletion: waited, RawFlow: runnable.RawFlow);
        try { await writer.EnqueueAsync(job, ct); }
        catch (Npgsql.PostgresException e) when (e.SqlState == "23505")
        {
            throw WindmillError.BadRequest($"a job with id {job.Id} already exists");
        }
        if (job.ScheduledFor <= now) await dispatcher.DispatchAsync(new DispatchItem(job.Id, tag, job.Priority), ct);
        return job.Id;
    }
}
