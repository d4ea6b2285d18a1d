using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Core.Telemetry;

namespace Windmill.Jobs.Api.Apis;

/// <summary>Jobs (spec 6.10): run routes, synchronous runs, reading state, results and logs, cancel, lists.</summary>
public static class JobsApi
{
    public sealed record Preview(string Content, string Language, string? Path, JsonObject? Args, string? Tag, string? Kind)
    {
        [JsonRequired] public string Content { get; init; } = Content;
        [JsonRequired] public string Language { get; init; } = Language;
    }

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder w)
    {
        var jobs = w.MapGroup("/jobs");
        jobs.MapPost("/run/p/{*path}", (Authed who, WindmillDb db, JobEnqueuer q, HttpRequest req, string path, CancellationToken ct) =>
            RunAsync(who, db, q, req, path, null, ct));
        jobs.MapPost("/run/h/{hash}", (Authed who, WindmillDb db, JobEnqueuer q, HttpRequest req, string hash, CancellationToken ct) =>
            RunAsync(who, db, q, req, null, hash, ct));
        jobs.MapPost("/run/preview", RunPreview);
        string[] getOrPost = [HttpMethods.Get, HttpMethods.Post];
        jobs.MapMethods("/run_wait_result/p/{*path}", getOrPost, (Authed who, WindmillDb db, JobEnqueuer q, CompletionWaiter waiter, JobReader reader,
            ApiSettings s, HttpRequest req, string path, CancellationToken ct) => RunAndWaitAsync(who, db, q, waiter, reader, s, req, path, null, ct));
        jobs.MapMethods("/run_wait_result/h/{hash}", getOrPost, (Authed who, WindmillDb db, JobEnqueuer q, CompletionWaiter waiter, JobReader reader,
            ApiSettings s, HttpRequest req, string hash, CancellationToken ct) => RunAndWaitAsync(who, db, q, waiter, reader, s, req, null, hash, ct));
        jobs.MapGet("/list", List);
        jobs.MapGet("/queue/list", (Authed who, JobReader r, HttpRequest req, CancellationToken ct) => ListWith(who, r, req, queued: true, ct));
        jobs.MapGet("/completed/list", (Authed who, JobReader r, HttpRequest req, CancellationToken ct) => ListWith(who, r, req, queued: false, ct));
        jobs.MapGet("/queue/count", async (Authed who, JobReader r, CancellationToken ct) => Results.Json(new { database_length = await r.QueueLengthAsync(who.Workspace, ct) }));
        jobs.MapGet("/completed/get/{id:guid}", async (Authed who, JobReader r, Guid id, CancellationToken ct) =>
        {
            var j = await VisibleAsync(who, r, id, ct);
            if (!j.Completed) throw WindmillError.NotFound($"Completed job {id} not found");
            return Results.Json(JobJson.Of(j, await r.LogsAsync(id, ct), await FlowOfAsync(r, j, ct)));
        });

        // jobs_u: "unauthed-capable" routes; here a token is always required (spec 6.10 recommends it).
        var u = w.MapGroup("/jobs_u");
        u.MapGet("/get/{id:guid}", async (Authed who, JobReader r, Guid id, CancellationToken ct) =>
        {
            var j = await VisibleAsync(who, r, id, ct);
            return Results.Json(JobJson.Of(j, await r.LogsAsync(id, ct), await FlowOfAsync(r, j, ct)));
        });
        u.MapGet("/get_logs/{id:guid}", async (Authed who, JobReader r, Guid id, CancellationToken ct) =>
        {
            await VisibleAsync(who, r, id, ct);
            return Replies.Text(await r.LogsAsync(id, ct) ?? "");
        });
        u.MapGet("/getupdate/{id:guid}", GetUpdate);
        u.MapGet("/get_root_job_id/{id:guid}", async (Authed who, JobReader r, Guid id, CancellationToken ct) =>
        {
            var j = await VisibleAsync(who, r, id, ct);
            return Results.Json((j.RootJob ?? j.FlowInnermostRootJob ?? j.ParentJob ?? j.Id).ToString());
        });
        foreach (var g in new[] { u, jobs })
        {
            g.MapGet("/completed/get_result/{id:guid}", GetResult);
            g.MapGet("/completed/get_result_maybe/{id:guid}", GetResultMaybe);
        }
        u.MapPost("/queue/cancel/{id:guid}", (Authed who, JobReader r, JobClaims c, JobDispatcher d, FlowUserStates s, Guid id, HttpRequest req,
            CancellationToken ct) => Cancel(who, r, c, d, s, id, req, force: false, ct));
        u.MapPost("/queue/force_cancel/{id:guid}", (Authed who, JobReader r, JobClaims c, JobDispatcher d, FlowUserStates s, Guid id, HttpRequest req,
            CancellationToken ct) => Cancel(who, r, c, d, s, id, req, force: true, ct));
        return w;
    }

    // ---- run

    private static async Task<JsonObject> ReadArgsAsync(HttpRequest req, CancellationToken ct)
    {
        if (req.ContentLength == 0 || (req.ContentLength is null && !req.Headers.ContainsKey("Transfer-Encoding"))) return [];
        var node = await JsonBodies.ReadAnyAsync(req, ct);
        return node switch
        {
            null => [],
            JsonObject o => o,
            _ => throw WindmillError.BadRequest("the body must be a JSON object of arguments"),
        };
    }

    /// <summary>GET variants take <c>payload</c> = base64(JSON args).</summary>
    private static JsonObject PayloadArgs(HttpRequest req)
    {
        var payload = req.Query["payload"].ToString();
        if (payload.Length == 0) return [];
        try
        {
            var padded = payload.Replace('-', '+').Replace('_', '/');
            padded = padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(padded))) as JsonObject
                ?? throw WindmillError.BadRequest("payload must encode a JSON object");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw WindmillError.BadRequest("payload must be base64 of a JSON object of arguments");
        }
    }

    /// <summary>Arguments of a run: the JSON body, or for GET the <c>payload</c> query (base64 JSON).</summary>
    internal static Task<JsonObject> ArgsAsync(HttpRequest req, CancellationToken ct) =>
        HttpMethods.IsGet(req.Method) ? Task.FromResult(PayloadArgs(req)) : ReadArgsAsync(req, ct);

    /// <summary>The script a run route names, by path (its live version) or by hash, checked for read and scope.</summary>
    private static async Task<Script> ScriptToRunAsync(Authed who, WindmillDb db, string? path, string? hash, CancellationToken ct)
    {
        var script = path is not null ? await ScriptsApi.LiveAsync(who, db, path, ct) : await ScriptsApi.ByHashAsync(who, db, hash!, ct);
        who.RequireScope($"jobs:run:scripts:{script.Path}");
        return script;
    }

    private static async Task<IResult> RunAsync(Authed who, WindmillDb db, JobEnqueuer q, HttpRequest req, string? path, string? hash, CancellationToken ct)
    {
        var script = await ScriptToRunAsync(who, db, path, hash, ct);
        var id = await q.EnqueueAsync(who, Runnable.Of(script), await ArgsAsync(req, ct), RunJobQuery.From(req), ct);
        return Replies.Created(id.ToString());
    }

    private static async Task<IResult> RunAndWaitAsync(Authed who, WindmillDb db, JobEnqueuer q, CompletionWaiter waiter, JobReader reader,
        ApiSettings s, HttpRequest req, string? path, string? hash, CancellationToken ct)
    {
        var script = await ScriptToRunAsync(who, db, path, hash, ct);
        var id = await q.EnqueueAsync(who, Runnable.Of(script), await ArgsAsync(req, ct), RunJobQuery.From(req), ct, waited: true);
        return await ResultWhenDoneAsync(who, waiter, reader, s, id, ct);
    }

    private static async Task<IResult> RunPreview(Authed who, JobEnqueuer q, HttpRequest req, Preview body, CancellationToken ct)
    {
        who.RequireWriter("run previews");
        var kind = body.Kind switch { null or "code" => JobKind.Preview, "noop" => JobKind.Noop, "identity" => JobKind.Identity, var k => throw WindmillError.BadRequest($"unknown preview kind '{k}'") };
        var language = ScriptLanguage.Check(body.Language);
        // A preview's path may end with '/' (spec 1.2: runnable paths of previews); the rest must be a valid path.
        if (body.Path is { } p && !ObjectPath.IsValid(p.EndsWith('/') ? p + "x" : p))
            throw WindmillError.BadRequest($"invalid path '{p}'");
        var runnable = new Runnable(kind, null, body.Path, language, body.Content, body.Tag, null, SignatureReader.Read(language, body.Content).ToSchema());
        var id = await q.EnqueueAsync(who, runnable, body.Args ?? [], RunJobQuery.From(req), ct);
        return Replies.Created(id.ToString());
    }

    /// <summary>200 with the result on success, 422 with the error object on failure (spec 6.10).</summary>
    internal static async Task<IResult> ResultWhenDoneAsync(Authed who, CompletionWaiter waiter, JobReader reader, ApiSettings s, Guid id, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(s.Queue.WaitResultTimeout);
        if (!await waiter.WaitAsync(id, timeout, () => reader.IsCompletedAsync(id, ct), ct))
            throw WindmillError.Internal($"timeout after {s.Queue.WaitResultTimeout}s waiting for job {id}");
        var job = await reader.GetAsync(who.Workspace, id, ct) ?? throw WindmillError.NotFound($"Job {id} not found");
        var result = job.ResultJson ?? "null";
        if (job.Status is not (JobStatus.Success or JobStatus.Skipped)) return Results.Text(result, "application/json", Encoding.UTF8, 422);
        return CustomResponse(result) ?? Replies.RawJson(result);
    }

    /// <summary>A result <c>{windmill_status_code, windmill_content_type, windmill_headers, result}</c> shapes the HTTP response.</summary>
    private static IResult? CustomResponse(string result)
    {
        if (!result.Contains("windmill_status_code") && !result.Contains("windmill_content_type")) return null;
        if (JsonNode.Parse(result) is not JsonObject o) return null;
        var status = o["windmill_status_code"]?.GetValue<int>() ?? 200;
        var body = o["result"];
        var contentType = o["windmill_content_type"]?.GetValue<string>();
        var text = body is JsonValue v && v.GetValueKind() == JsonValueKind.String && contentType is not null ? v.GetValue<string>() : body?.ToJsonString() ?? "null";
        return new HeadersResult(Results.Text(text, contentType ?? "application/json", Encoding.UTF8, status), o["windmill_headers"] as JsonObject);
    }

    private sealed class HeadersResult(IResult inner, JsonObject? headers) : IResult
    {
        public Task ExecuteAsync(HttpContext ctx)
        {
            foreach (var (k, v) in headers ?? []) ctx.Response.Headers[k] = v?.ToString();
            return inner.ExecuteAsync(ctx);
        }
    }

    // ---- read

    /// <summary>A flow job's <c>raw_flow</c> and <c>flow_status</c> (spec 7.3), readable while it runs.</summary>
    private static async Task<(string?, string?)> FlowOfAsync(JobReader r, JobView j, CancellationToken ct) =>
        JobKind.IsFlow(j.Kind) ? await r.FlowAsync(j.Id, ct) : default;

    internal static async Task<JobView> VisibleAsync(Authed who, JobReader r, Guid id, CancellationToken ct)
    {
        var j = await r.GetAsync(who.Workspace, id, ct) ?? throw WindmillError.NotFound($"Job {id} not found");
        if (!JobJson.CanSee(who, j)) throw WindmillError.NotAuthorized($"Job {id} exists but you don't have access to it");
        return j;
    }

    private static async Task<IResult> GetResult(Authed who, JobReader r, Guid id, CancellationToken ct)
    {
        var j = await VisibleAsync(who, r, id, ct);
        if (!j.Completed) throw WindmillError.NotFound($"Job {id} is not completed yet");
        return Replies.RawJson(j.ResultJson ?? "null");
    }

    private static async Task<IResult> GetResultMaybe(Authed who, JobReader r, Guid id, CancellationToken ct)
    {
        var j = await VisibleAsync(who, r, id, ct);
        return Results.Json(new JsonObject
        {
            ["started"] = j.Completed || j.Running,
            ["completed"] = j.Completed,
            ["success"] = j.Completed && j.Status == JobStatus.Success,
            ["result"] = j.Completed && j.ResultJson is not null ? JsonNode.Parse(j.ResultJson) : null,
        });
    }

    private static async Task<IResult> GetUpdate(Authed who, JobReader r, Guid id, int? log_offset, CancellationToken ct)
    {
        var j = await VisibleAsync(who, r, id, ct);
        var logs = await r.LogsAsync(id, ct) ?? "";
        var offset = Math.Clamp(log_offset ?? 0, 0, logs.Length);
        return Results.Json(new JsonObject
        {
            ["running"] = j.Running,
            ["completed"] = j.Completed,
            ["new_logs"] = logs[offset..],
            ["log_offset"] = logs.Length,
            ["flow_status"] = null,
            ["mem_peak"] = null,
        });
    }

    private static Task<IResult> List(Authed who, JobReader r, HttpRequest req, CancellationToken ct) => ListWith(who, r, req, null, ct);

    private static async Task<IResult> ListWith(Authed who, JobReader r, HttpRequest req, bool? queued, CancellationToken ct)
    {
        var q = req.Query;
        string? S(string n) => q[n].ToString() is { Length: > 0 } v ? v : null;
        bool? B(string n) => S(n) is { } v ? v == "true" : null;
        DateTime? D(string n) => S(n) is { } v ? DateTimeOffset.TryParse(v, out var d) ? d.UtcDateTime : throw WindmillError.BadRequest($"{n} must be a date") : null;
        var paging = Paging.From(int.TryParse(S("page"), out var p) ? p : null, int.TryParse(S("per_page"), out var pp) ? pp : null, 30);
        var filter = new JobFilter(who.Workspace, S("created_by"), S("script_path_exact"), S("script_path_start"), S("schedule_path"),
            S("job_kinds")?.Split(','), B("success"), B("running"), B("scheduled_for_before_now"), D("created_before"), D("created_after"),
            S("tag"), Guid.TryParse(S("parent_job"), out var parent) ? parent : null, queued == true, queued == false,
            (paging.Page - 1) * paging.PerPage, paging.PerPage);
        var jobs = await r.ListAsync(filter, ct);
        return Results.Json(jobs.Where(j => JobJson.CanSee(who, j)).Select(j => JobJson.Of(j, null)));
    }

    // ---- control

    /// <summary>
    /// Cancel (spec 6.10): a job not yet running, or any job when forced, completes as canceled at once;
    /// a running one is flagged and its worker kills it on its next ping. Descendants go the same way.
    /// </summary>
    private static async Task<IResult> Cancel(Authed who, JobReader r, JobClaims claims, JobDispatcher dispatcher, FlowUserStates states,
        Guid id, HttpRequest req, bool force, CancellationToken ct)
    {
        var j = await VisibleAsync(who, r, id, ct);
        if (j.Completed) throw WindmillError.BadRequest($"job {id} is already completed");
        var body = req.ContentLength is > 0 ? await JsonBodies.ReadAnyAsync(req, ct) : null;
        var reason = (body as JsonObject)?["reason"]?.GetValue<string>() ?? "canceled by user";
        // The job first, then its descendants: a canceled flow is gone before its steps' completions could wake it.
        var woken = new List<DispatchItem>();
        foreach (var jobId in (await r.DescendantsAsync(id, ct)).Prepend(id))
        {
            var outcome = new JobOutcome(JobStatus.Canceled, JobErrors.Canceled(reason, who.Username), who.Username, reason);
            var done = force ? await claims.ForceCompleteAsync(jobId, outcome, ct) : await claims.CompleteWaitingAsync(jobId, outcome, ct);
            if (!done.Done) await r.RequestCancelAsync(jobId, who.Username, reason, ct);
            else if (jobId == id)
            {
                JobMetrics.JobCanceledWhileWaiting(j.Tag);
                if (JobKind.IsFlow(j.Kind) && j.RootJob is null) await KeepUserStatesAsync(claims, states, id, ct);
            }
            woken.AddRange(done.WokenParents);
        }
        // Canceling one step of a flow wakes the flow, which then goes on as for a failed step.
        foreach (var parent in woken) await dispatcher.DispatchAsync(parent, ct);
        return Replies.Text($"job canceled {id}");
    }

    /// <summary>A root flow ended here (canceled while parked): its custom state goes into its final status.</summary>
    private static async Task KeepUserStatesAsync(JobClaims claims, FlowUserStates states, Guid id, CancellationToken ct)
    {
        try
        {
            await claims.RecordUserStatesAsync(id, (await states.ReadAllAsync(id)).ToJsonString(), ct);
            await states.RemoveAsync(id);
        }
        catch (StackExchange.Redis.RedisException) { } // the safety expiry removes it; the cancel itself stands
    }
}
