using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Core.Flows;
using Windmill.Jobs.Store.Assets;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Flows (spec 7, 16): one live definition per path, every deployed value kept as a version. The value
/// is checked at deploy time (module types, unique ids, languages, <c>results.x</c> references).
/// </summary>
public static class FlowsApi
{
    public sealed record CreateFlow(string Path, string? Summary, string? Description, JsonObject Value, JsonObject? Schema, string? Tag,
        int? Timeout, short? Priority)
    {
        [JsonRequired] public string Path { get; init; } = Path;
        [JsonRequired] public JsonObject Value { get; init; } = Value;
    }

    public sealed record FlowView(
        string WorkspaceId, string Path, string Summary, string Description, JsonNode? Value, JsonNode? Schema, string EditedBy,
        DateTime EditedAt, bool Archived, Dictionary<string, bool> ExtraPerms, string? Tag, int? Timeout, short? Priority, long? VersionId)
    {
        /// <summary>flows/get only: each step's detected assets (inline steps from their code, script steps from the script's), for drawing asset nodes.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public JsonObject? AssetsByModule { get; init; }
    }

    public static RouteGroupBuilder MapFlowsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/flows");
        g.MapPost("/create", Create);
        g.MapPost("/update/{*path}", Update);
        g.MapGet("/get/{*path}", async (Authed who, WindmillDb db, AssetStore assets, string path, CancellationToken ct) =>
        {
            var flow = await LiveAsync(who, db, path, ct);
            var view = View(flow);
            return Results.Json(view with { AssetsByModule = await ModuleAssetsAsync(who, assets, view.Value, ct) });
        });
        g.MapGet("/list", List);
        g.MapGet("/exists/{*path}", async (Authed who, WindmillDb db, string path, CancellationToken ct) =>
            Results.Json(await db.Flows.AnyAsync(f => f.WorkspaceId == who.Workspace && f.Path == path && !f.Archived, ct)));
        g.MapPost("/archive/{*path}", Archive);
        g.MapDelete("/delete/{*path}", Delete);
        return w;
    }

    public static FlowView View(Flow f, bool withValue = true) => new(
        f.WorkspaceId, f.Path, f.Summary, f.Description, withValue ? JsonNode.Parse(f.Value) : null,
        f.Schema is null ? null : JsonNode.Parse(f.Schema), f.EditedBy, f.EditedAt, f.Archived,
        ExtraPerms.FromJson(f.ExtraPerms).Entries.ToDictionary(), f.Tag, f.Timeout, f.Priority, f.Versions.Length > 0 ? f.Versions[^1] : null);

    /// <summary>Each step's assets: an inline step's from its code, a script step's as stored for that script.</summary>
    private static async Task<JsonObject> ModuleAssetsAsync(Authed who, AssetStore store, JsonNode? value, CancellationToken ct)
    {
        var detected = FlowAssets.Detect(value);
        var scripts = detected.ScriptSteps.ToList();
        var stored = await store.AssetsOfAsync(who.Workspace, [.. scripts.Select(s => new AssetUsageKey("script", s.Value))], ct);
        var byModule = new JsonObject();
        foreach (var (id, assets) in detected.ByModule)
            byModule[id] = new JsonArray([.. assets.Select(a => (JsonNode)new JsonObject { ["kind"] = a.Kind.Name(), ["path"] = a.Path, ["access_type"] = a.Access?.Name() })]);
        for (var i = 0; i < scripts.Count; i++)
            byModule[scripts[i].Key] = new JsonArray([.. stored[i].Select(a => (JsonNode)new JsonObject { ["kind"] = a.Kind, ["path"] = a.Path, ["access_type"] = a.Access })]);
        return byModule;
    }

    /// <summary>The live flow at a path, checked for read access.</summary>
    public static async Task<Flow> LiveAsync(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        var f = Access.RequireFound(
            await db.Flows.AsNoTracking().FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path && !x.Archived, ct),
            "Flow", path);
        Access.RequireRead(who, "Flow", path, f.ExtraPerms);
        return f;
    }

    private static void Check(CreateFlow body)
    {
        ObjectPath.Parse(body.Path);
        OpenFlowParser.Parse(body.Value);
        if (body.Timeout is <= 0) throw WindmillError.BadRequest("timeout must be a positive number of seconds");
        if (body.Tag is not null) Names.CheckSimpleName(body.Tag, "tag");
        if (body.Priority is < 0 or > 100) throw WindmillError.BadRequest("priority must be from 0 to 100");
    }

    private static async Task<IResult> Create(Authed who, WindmillDb db, AuditLog audit, HttpResponse response, CreateFlow body, CancellationToken ct)
    {
        who.RequireScope($"flows:write:{body.Path}");
        who.RequireWriter("deploy flows");
        Check(body);
        Access.RequireCreate(who, "Flow", body.Path);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Flows.AnyAsync(f => f.WorkspaceId == who.Workspace && f.Path == body.Path, ct))
            throw WindmillError.BadRequest($"Flow {body.Path} already exists");
        var flow = new Flow { WorkspaceId = who.Workspace, Path = body.Path, Value = "{}", EditedBy = who.Username };
        Apply(flow, body, who);
        db.Flows.Add(flow);
        await SaveVersionAsync(db, flow, who, ct);
        var warning = await StaticAssets.StoreFlowAsync(db, who.Workspace, flow.Path, body.Value, ct);
        await tx.CommitAsync(ct);
        StaticAssets.Warn(response, warning);
        audit.Record(who.Workspace, who.Username, "flows.create", "Create", body.Path);
        return Replies.Created(body.Path);
    }

    private static async Task<IResult> Update(Authed who, WindmillDb db, AuditLog audit, HttpResponse response, string path, CreateFlow body,
        CancellationToken ct)
    {
        who.RequireScope($"flows:write:{path}");
        who.RequireWriter("deploy flows");
        Check(body);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var flow = Access.RequireFound(await db.Flows.FirstOrDefaultAsync(f => f.WorkspaceId == who.Workspace && f.Path == path, ct), "Flow", path);
        Access.RequireWrite(who, "Flow", path, flow.ExtraPerms);
        if (body.Path != path)
        {
            Access.RequireCreate(who, "Flow", body.Path);
            if (await db.Flows.AnyAsync(f => f.WorkspaceId == who.Workspace && f.Path == body.Path, ct))
                throw WindmillError.BadRequest($"Flow {body.Path} already exists");
            // The key changes: versions follow through ON UPDATE CASCADE.
            await db.Database.ExecuteSqlAsync($"UPDATE flow SET path = {body.Path} WHERE workspace_id = {who.Workspace} AND path = {path}", ct);
            db.Entry(flow).State = EntityState.Detached;
            flow = await db.Flows.FirstAsync(f => f.WorkspaceId == who.Workspace && f.Path == body.Path, ct);
            await StaticAssets.ForgetAsync(db, who.Workspace, "flow", path, ct);
        }
        Apply(flow, body, who);
        await SaveVersionAsync(db, flow, who, ct);
        var warning = await StaticAssets.StoreFlowAsync(db, who.Workspace, flow.Path, body.Value, ct);
        await tx.CommitAsync(ct);
        StaticAssets.Warn(response, warning);
        audit.Record(who.Workspace, who.Username, "flows.update", "Update", body.Path);
        return Replies.Text($"Flow {body.Path} updated");
    }

    private static void Apply(Flow flow, CreateFlow body, Authed who)
    {
        flow.Summary = body.Summary ?? "";
        flow.Description = body.Description ?? "";
        flow.Value = body.Value.ToJsonString();
        flow.Schema = body.Schema?.ToJsonString();
        flow.Tag = body.Tag;
        flow.Timeout = body.Timeout;
        flow.Priority = body.Priority;
        flow.EditedBy = who.Username;
        flow.EditedAt = DateTime.UtcNow;
        flow.Archived = false;
    }

    private static async Task SaveVersionAsync(WindmillDb db, Flow flow, Authed who, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var version = new FlowVersion
        {
            WorkspaceId = flow.WorkspaceId, Path = flow.Path, Value = flow.Value, Schema = flow.Schema, CreatedBy = who.Username,
            CreatedAt = DateTime.UtcNow,
        };
        db.FlowVersions.Add(version);
        await db.SaveChangesAsync(ct);
        flow.Versions = [.. flow.Versions, version.Id];
        await db.SaveChangesAsync(ct);
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, string? path_start, bool? show_archived, int? page, int? per_page,
        CancellationToken ct)
    {
        var paging = Paging.From(page, per_page, Paging.MaxPerPage);
        var q = db.Flows.AsNoTracking().Where(f => f.WorkspaceId == who.Workspace);
        if (show_archived != true) q = q.Where(f => !f.Archived);
        if (path_start is not null) q = q.Where(f => f.Path.StartsWith(path_start));
        var rows = await q.OrderBy(f => f.Path).ToListAsync(ct);
        var visible = rows.Where(f => PathPermissions.CanRead(who.Identity, f.Path, ExtraPerms.FromJson(f.ExtraPerms)));
        return Results.Json(paging.Apply(visible).Select(f => View(f, withValue: false)));
    }

    private static async Task<IResult> Archive(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireWriter("archive flows");
        var f = Access.RequireFound(await db.Flows.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path, ct), "Flow", path);
        Access.RequireWrite(who, "Flow", path, f.ExtraPerms);
        f.Archived = true;
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "flows.archive", "Update", path);
        return Replies.Text($"Flow {path} archived");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireWriter("delete flows");
        var f = Access.RequireFound(await db.Flows.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path, ct), "Flow", path);
        Access.RequireWrite(who, "Flow", path, f.ExtraPerms);
        db.Flows.Remove(f);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await StaticAssets.ForgetAsync(db, who.Workspace, "flow", path, ct);
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "flows.delete", "Delete", path);
        return Replies.Text($"Flow {path} deleted");
    }
}
