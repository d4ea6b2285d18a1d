using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Flows;
using Windmill.Jobs.Core.Schedules;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Schedules (spec 8.2): cron triggers of a script or flow, run as the schedule's last editor. Creating,
/// updating or enabling pushes the next tick; disabling, updating or deleting removes the pending one.
/// </summary>
public static class SchedulesApi
{
    public sealed record ScheduleBody(
        string? Path, string Schedule, string? Timezone, string? ScriptPath, bool? IsFlow, JsonObject? Args, bool? Enabled,
        string? OnFailure, int? OnFailureTimes, bool? OnFailureExact, JsonObject? OnFailureExtraArgs,
        string? OnRecovery, int? OnRecoveryTimes, JsonObject? OnRecoveryExtraArgs, string? OnSuccess, JsonObject? OnSuccessExtraArgs,
        bool? WsErrorHandlerMuted, JsonObject? Retry, string? Summary, string? Description, bool? NoFlowOverlap, string? Tag,
        DateTime? PausedUntil, string? CronVersion)
    {
        [JsonRequired] public string Schedule { get; init; } = Schedule;
    }

    public sealed record Preview(string Schedule, string? Timezone, string? CronVersion)
    {
        [JsonRequired] public string Schedule { get; init; } = Schedule;
    }

    public sealed record SetEnabled(bool Enabled) { [JsonRequired] public bool Enabled { get; init; } = Enabled; }

    public static RouteGroupBuilder MapSchedulesApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/schedules");
        g.MapPost("/create", Create);
        g.MapPost("/update/{*path}", Update);
        g.MapPost("/setenabled/{*path}", Enable);
        g.MapGet("/get/{*path}", async (Authed who, WindmillDb db, string path, CancellationToken ct) =>
            Results.Json(View(await ReadableAsync(who, db, path, ct))));
        g.MapGet("/exists/{*path}", async (Authed who, WindmillDb db, string path, CancellationToken ct) =>
            Results.Json(await db.Schedules.AnyAsync(s => s.WorkspaceId == who.Workspace && s.Path == path, ct)));
        g.MapGet("/list", List);
        g.MapDelete("/delete/{*path}", Delete);
        return w;
    }

    /// <summary><c>POST /api/schedules/preview</c>: the next ten firings, not workspace-scoped.</summary>
    public static void MapSchedulePreview(this RouteGroupBuilder api) =>
        api.MapPost("/schedules/preview", (Preview body) =>
        {
            var cron = CronSchedule.Parse(body.Schedule, body.CronVersion ?? "v2");
            var zone = CronSchedule.Zone(body.Timezone);
            var times = new List<DateTime>();
            var at = DateTime.UtcNow;
            while (times.Count < 10 && cron.NextAfter(at, zone) is { } next) times.Add(at = next);
            return Results.Json(times);
        });

    public static JsonObject View(Schedule s) => new()
    {
        ["workspace_id"] = s.WorkspaceId, ["path"] = s.Path, ["edited_by"] = s.EditedBy, ["edited_at"] = s.EditedAt,
        ["schedule"] = s.Cron, ["timezone"] = s.Timezone, ["enabled"] = s.Enabled, ["script_path"] = s.ScriptPath, ["is_flow"] = s.IsFlow,
        ["args"] = Parse(s.Args), ["extra_perms"] = JsonNode.Parse(s.ExtraPerms), ["email"] = s.Email, ["error"] = s.Error,
        ["on_failure"] = s.OnFailure, ["on_failure_times"] = s.OnFailureTimes, ["on_failure_exact"] = s.OnFailureExact,
        ["on_failure_extra_args"] = Parse(s.OnFailureExtraArgs), ["on_recovery"] = s.OnRecovery, ["on_recovery_times"] = s.OnRecoveryTimes,
        ["on_recovery_extra_args"] = Parse(s.OnRecoveryExtraArgs), ["on_success"] = s.OnSuccess,
        ["on_success_extra_args"] = Parse(s.OnSuccessExtraArgs), ["ws_error_handler_muted"] = s.WsErrorHandlerMuted,
        ["retry"] = Parse(s.Retry), ["summary"] = s.Summary, ["description"] = s.Description, ["no_flow_overlap"] = s.NoFlowOverlap,
        ["tag"] = s.Tag, ["paused_until"] = s.PausedUntil, ["cron_version"] = s.CronVersion,
    };

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    private static async Task<Schedule> ReadableAsync(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        var s = Access.RequireFound(await db.Schedules.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path, ct),
            "Schedule", path);
        Access.RequireRead(who, "Schedule", path, s.ExtraPerms);
        return s;
    }

    private static async Task<Schedule> WritableAsync(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        who.RequireWriter("edit schedules");
        var s = await ReadableAsync(who, db, path, ct);
        Access.RequireWrite(who, "Schedule", path, s.ExtraPerms);
        return s;
    }

    /// <summary>Checks what a schedule would run: cron, zone, handlers, the runnable and the arguments against its schema.</summary>
    private static async Task CheckAsync(Authed who, WindmillDb db, ScheduleBody body, string scriptPath, bool isFlow, CancellationToken ct)
    {
        CronSchedule.Parse(body.Schedule, body.CronVersion ?? "v2");
        CronSchedule.Zone(body.Timezone);
        if (body.Tag is not null) Names.CheckSimpleName(body.Tag, "tag");
        foreach (var (name, handler) in new[] { ("on_failure", body.OnFailure), ("on_recovery", body.OnRecovery), ("on_success", body.OnSuccess) })
            if (handler is not null && !handler.StartsWith("script/") && !handler.StartsWith("flow/"))
                throw WindmillError.BadRequest($"{name} must be script/<path> or flow/<path>, not '{handler}'");
        if (body.Retry is not null && isFlow) throw WindmillError.BadRequest("retry applies to script schedules; a flow sets retries on its steps");
        string? schema;
        if (isFlow)
            schema = (await FlowsApi.LiveAsync(who, db, scriptPath, ct)).Schema;
        else
            schema = (await ScriptsApi.LiveAsync(who, db, scriptPath, ct)).Schema;
        ArgumentCheck.Validate(schema is null ? null : JsonNode.Parse(schema) as JsonObject, body.Args ?? [], scriptPath);
    }

    private static void Apply(Schedule s, ScheduleBody body, Authed who)
    {
        s.Cron = body.Schedule;
        s.Timezone = body.Timezone ?? "UTC";
        s.Args = (body.Args ?? []).ToJsonString();
        s.OnFailure = body.OnFailure;
        s.OnFailureTimes = body.OnFailureTimes;
        s.OnFailureExact = body.OnFailureExact;
        s.OnFailureExtraArgs = body.OnFailureExtraArgs?.ToJsonString();
        s.OnRecovery = body.OnRecovery;
        s.OnRecoveryTimes = body.OnRecoveryTimes;
        s.OnRecoveryExtraArgs = body.OnRecoveryExtraArgs?.ToJsonString();
        s.OnSuccess = body.OnSuccess;
        s.OnSuccessExtraArgs = body.OnSuccessExtraArgs?.ToJsonString();
        s.WsErrorHandlerMuted = body.WsErrorHandlerMuted ?? false;
        s.Retry = body.Retry?.ToJsonString();
        s.Summary = body.Summary;
        s.Description = body.Description;
        s.NoFlowOverlap = body.NoFlowOverlap ?? false;
        s.Tag = body.Tag;
        s.PausedUntil = body.PausedUntil?.ToUniversalTime();
        s.CronVersion = body.CronVersion ?? "v2";
        s.EditedBy = who.Username;
        s.Email = who.Identity.Email;
        s.EditedAt = DateTime.UtcNow;
        s.Error = null;
    }

    private static async Task<IResult> Create(Authed who, WindmillDb db, ScheduleTicks ticks, AuditLog audit, ScheduleBody body, CancellationToken ct)
    {
        who.RequireWriter("create schedules");
        if (body.Path is null) throw WindmillError.BadRequest("path is required");
        if (body.ScriptPath is null) throw WindmillError.BadRequest("script_path is required");
        ObjectPath.Parse(body.Path);
        Access.RequireCreate(who, "Schedule", body.Path);
        await CheckAsync(who, db, body, body.ScriptPath, body.IsFlow ?? false, ct);
        if (await db.Schedules.AnyAsync(s => s.WorkspaceId == who.Workspace && s.Path == body.Path, ct))
            throw WindmillError.BadRequest($"Schedule {body.Path} already exists");
        var schedule = new Schedule
        {
            WorkspaceId = who.Workspace, Path = body.Path, ScriptPath = body.ScriptPath, IsFlow = body.IsFlow ?? false,
            Enabled = body.Enabled ?? true, Cron = "", EditedBy = who.Username, Email = who.Identity.Email,
        };
        Apply(schedule, body, who);
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(ct);
        if (schedule.Enabled) await ticks.PushNextAsync(db, schedule, who.Identity, ct);
        audit.Record(who.Workspace, who.Username, "schedule.create", "Create", body.Path);
        return Replies.Created(body.Path);
    }

    private static async Task<IResult> Update(Authed who, WindmillDb db, ScheduleTicks ticks, AuditLog audit, string path, ScheduleBody body,
        CancellationToken ct)
    {
        var schedule = await WritableAsync(who, db, path, ct);
        await CheckAsync(who, db, body, schedule.ScriptPath, schedule.IsFlow, ct);
        Apply(schedule, body, who);
        await db.SaveChangesAsync(ct);
        await ScheduleTicks.RemovePendingAsync(db, who.Workspace, path, ct);
        if (schedule.Enabled) await ticks.PushNextAsync(db, schedule, who.Identity, ct);
        audit.Record(who.Workspace, who.Username, "schedule.edit", "Update", path);
        return Replies.Text($"schedule {path} updated");
    }

    private static async Task<IResult> Enable(Authed who, WindmillDb db, ScheduleTicks ticks, AuditLog audit, string path, SetEnabled body,
        CancellationToken ct)
    {
        var schedule = await WritableAsync(who, db, path, ct);
        schedule.Enabled = body.Enabled;
        schedule.EditedBy = who.Username;
        schedule.Email = who.Identity.Email;
        schedule.EditedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        await ScheduleTicks.RemovePendingAsync(db, who.Workspace, path, ct);
        if (body.Enabled) await ticks.PushNextAsync(db, schedule, who.Identity, ct);
        audit.Record(who.Workspace, who.Username, "schedule.setenabled", "Update", path, new { enabled = body.Enabled });
        return Replies.Text($"succesfully updated schedule at path {path} to status {body.Enabled}");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        var schedule = await WritableAsync(who, db, path, ct);
        await ScheduleTicks.RemovePendingAsync(db, who.Workspace, path, ct);
        db.Schedules.Remove(schedule);
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "schedule.delete", "Delete", path);
        return Replies.Text($"schedule {path} deleted");
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, string? path, string? path_start, bool? is_flow, int? page, int? per_page,
        CancellationToken ct)
    {
        var paging = Paging.From(page, per_page, Paging.MaxPerPage);
        var q = db.Schedules.AsNoTracking().Where(s => s.WorkspaceId == who.Workspace);
        if (path is not null) q = q.Where(s => s.ScriptPath == path);
        if (path_start is not null) q = q.Where(s => s.Path.StartsWith(path_start));
        if (is_flow is not null) q = q.Where(s => s.IsFlow == is_flow);
        var rows = await q.OrderBy(s => s.Path).ToListAsync(ct);
        var visible = rows.Where(s => PathPermissions.CanRead(who.Identity, s.Path, ExtraPerms.FromJson(s.ExtraPerms)));
        return Results.Json(paging.Apply(visible).Select(View));
    }
}
