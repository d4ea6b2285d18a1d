using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Flows;

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
        return w;
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
