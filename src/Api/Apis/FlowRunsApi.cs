using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Flows;
using Windmill.Jobs.Store.Flows;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Running flows (spec 6.10, 7): by path, waiting for the result, or an inline flow value as a preview.
/// A flow job is advanced by workers serving the <c>flow</c> tag; its steps are child jobs.
/// </summary>
public static class FlowRunsApi
{
    public sealed record FlowPreview(JsonObject Value, JsonObject? Args, string? Path, string? Tag)
    {
        [JsonRequired] public JsonObject Value { get; init; } = Value;
    }

    public static RouteGroupBuilder MapFlowRunsApi(this RouteGroupBuilder w)
    {
        var jobs = w.MapGroup("/jobs");
        jobs.MapPost("/run/f/{*path}", async (Authed who, WindmillDb db, JobEnqueuer q, HttpRequest req, string path, CancellationToken ct) =>
            Replies.Created((await q.EnqueueAsync(who, await FlowToRunAsync(who, db, path, ct), await JobsApi.ArgsAsync(req, ct),
                RunJobQuery.From(req), ct)).ToString()));
        jobs.MapMethods("/run_wait_result/f/{*path}", [HttpMethods.Get, HttpMethods.Post], async (Authed who, WindmillDb db, JobEnqueuer q,
            CompletionWaiter waiter, JobReader reader, ApiSettings s, HttpRequest req, string path, CancellationToken ct) =>
        {
            var id = await q.EnqueueAsync(who, await FlowToRunAsync(who, db, path, ct), await JobsApi.ArgsAsync(req, ct), RunJobQuery.From(req), ct,
                waited: true);
            return await JobsApi.ResultWhenDoneAsync(who, waiter, reader, s, id, ct);
        });
        jobs.MapPost("/run/preview_flow", RunPreview);
        jobs.MapPost("/flow/user_states/{id:guid}/{key}", SetUserState);
        jobs.MapGet("/flow/user_states/{id:guid}/{key}", async (Authed who, JobReader r, FlowUserStates states, FlowStateLedger ledger, Guid id,
            string key, CancellationToken ct) =>
        {
            await RunningFlowAsync(who, r, id, ct);
            if (await WithRedis(() => states.GetAsync(id, key)) is { } value) return Results.Json(value);
            await RequireNotLostAsync(states, ledger, id, ct);
            return Replies.RawJson("null"); // a key never set is JSON null (not an empty body, which clients would read as a string)
        });
        return w;
    }

    /// <summary>Custom flow state (spec 5): one key of the running flow's map, last writer wins.</summary>
    private static async Task<IResult> SetUserState(Authed who, JobReader r, FlowUserStates states, FlowStateLedger ledger, HttpRequest req,
        Guid id, string key, CancellationToken ct)
    {
        var value = await JsonBodies.ReadAnyAsync(req, ct);
        await RunningFlowAsync(who, r, id, ct);
        // A first write creates the hash; a write to a flow whose hash went away would hide the loss of the other keys.
        var existed = await RequireNotLostAsync(states, ledger, id, ct);
        await WithRedis(async () => { await states.SetAsync(id, key, value); return true; });
        if (!existed) await ledger.MarkWrittenAsync(id, ct);
        return Replies.Text("flow state updated");
    }

    /// <summary>
    /// Whether the flow's state hash exists; when it does not although the flow wrote state before, Redis lost it
    /// (restarted without persistence): the step fails clearly rather than reading the lost keys as never set.
    /// </summary>
    private static async Task<bool> RequireNotLostAsync(FlowUserStates states, FlowStateLedger ledger, Guid id, CancellationToken ct)
    {
        if (await WithRedis(() => states.ExistsAsync(id))) return true;
        if (await ledger.WasWrittenAsync(id, ct))
            throw WindmillError.Internal($"the custom flow state of flow {id} was lost (Redis restarted without persistence); " +
                                         "failing rather than reading it as never set");
        return false;
    }

    /// <summary>Flow state exists only for a flow job that is queued or running.</summary>
    private static async Task RunningFlowAsync(Authed who, JobReader r, Guid id, CancellationToken ct)
    {
        var job = await r.GetAsync(who.Workspace, id, ct);
        if (job is null || !JobKind.IsFlow(job.Kind) || job.Completed)
            throw WindmillError.NotFound($"Flow job {id} not found: custom flow state exists only while the flow runs (use get_root_job_id of a step's job)");
        if (!JobJson.CanSee(who, job)) throw WindmillError.NotAuthorized($"Job {id} exists but you don't have access to it");
    }

    private static async Task<T> WithRedis<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (StackExchange.Redis.RedisException) { throw WindmillError.Internal("custom flow state is unavailable: Redis cannot be reached"); }
        catch (TimeoutException) { throw WindmillError.Internal("custom flow state is unavailable: Redis did not answer in time"); }
    }

    private static async Task<Runnable> FlowToRunAsync(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        var flow = await FlowsApi.LiveAsync(who, db, path, ct);
        who.RequireScope($"jobs:run:flows:{flow.Path}");
        return Runnable.Of(flow);
    }

    private static async Task<IResult> RunPreview(Authed who, JobEnqueuer q, HttpRequest req, FlowPreview body, CancellationToken ct)
    {
        who.RequireWriter("run flow previews");
        OpenFlowParser.Parse(body.Value);
        if (body.Path is { } p && !ObjectPath.IsValid(p)) throw WindmillError.BadRequest($"invalid path '{p}'");
        var runnable = new Runnable(JobKind.FlowPreview, null, body.Path, null, null, body.Tag ?? "flow", null, null,
            RawFlow: body.Value.ToJsonString());
        var id = await q.EnqueueAsync(who, runnable, body.Args ?? [], RunJobQuery.From(req), ct);
        return Replies.Created(id.ToString());
    }
}
