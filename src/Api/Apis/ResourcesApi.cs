using System.Text.Json.Nodes;
using Npgsql;
using Windmill.Jobs.Core.Assets;
using Windmill.Jobs.Core.Resources;
using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Api.Apis;

/// <summary>Resources (spec 3): typed JSON values at paths whose <c>$var:</c>/<c>$res:</c> strings resolve on read.</summary>
public static class ResourcesApi
{
    public sealed record CreateResource(string Path, JsonNode? Value, string? Description, string ResourceType, string[]? Labels)
    {
        [JsonRequired] public string Path { get; init; } = Path;
        [JsonRequired] public string ResourceType { get; init; } = ResourceType;
    }

    public sealed record EditResource(string? Path, string? Description, JsonNode? Value, string[]? Labels, string? ResourceType);

    /// <summary><c>update_value</c>'s body; <c>value</c> may be JSON null, so its presence is tracked separately.</summary>
    public sealed class EditResourceValue
    {
        private JsonNode? _value;
        public bool HasValue { get; private set; }
        public JsonNode? Value { get => _value; set { _value = value; HasValue = true; } }
    }

    public sealed record ListableResource(
        string WorkspaceId, string Path, JsonNode? Value, string? Description, string ResourceType, Dictionary<string, bool> ExtraPerms,
        string? CreatedBy, DateTime EditedAt, bool IsLinked, bool IsRefreshed, bool IsOauth, bool IsExpired, string? RefreshError,
        int? Account, string[]? Labels);

    public static RouteGroupBuilder MapResourcesApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/resources");
        g.MapGet("/list", List);
        g.MapGet("/list_search", ListSearch);
        g.MapGet("/list_names/{resource_type}", ListNames);
        g.MapGet("/get/{*path}", Get);
        g.MapGet("/exists/{*path}", Exists);
        g.MapGet("/get_value/{*path}", GetValue);
        g.MapGet("/get_value_interpolated/{*path}", GetValueInterpolated);
        g.MapPost("/create", Create);
        g.MapPost("/update/{*path}", Update);
        g.MapPost("/update_value/{*path}", UpdateValue);
        g.MapDelete("/delete/{*path}", Delete);
        g.MapDelete("/delete_bulk", DeleteBulk);
        g.MapResourceTypesApi();
        return w;
    }

    private static bool CanRead(Authed who, Resource r) => PathPermissions.CanRead(who.Identity, r.Path, ExtraPerms.FromJson(r.ExtraPerms));

    private static async Task<List<Resource>> VisibleAsync(Authed who, IQueryable<Resource> q, CancellationToken ct) =>
        (await q.OrderBy(r => r.Path).ToListAsync(ct)).Where(r => CanRead(who, r)).ToList();

    private static async Task<IResult> List(Authed who, WindmillDb db, string? resource_type, string? resource_type_exclude,
        string? path_start, string? path, string? description, string? value, string? broad_filter, string? label,
        int? page, int? per_page, CancellationToken ct)
    {
        var paging = Paging.From(page, per_page, Paging.MaxPerPage);
        var q = db.Resources.AsNoTracking().Where(r => r.WorkspaceId == who.Workspace);
        if (resource_type is not null) { var types = Csv(resource_type); q = q.Where(r => types.Contains(r.ResourceType)); }
        if (resource_type_exclude is not null) { var types = Csv(resource_type_exclude); q = q.Where(r => !types.Contains(r.ResourceType)); }
        if (path_start is not null) q = q.Where(r => r.Path.StartsWith(path_start));
        if (path is not null) q = q.Where(r => r.Path == path);
        if (description is not null) q = q.Where(r => r.Description != null && EF.Functions.ILike(r.Description, "%" + description + "%"));
        if (value is not null)
        {
            var filter = ParseJsonQuery(value, "value");
            q = q.Where(r => EF.Functions.JsonContains(r.Value, filter));
        }
        if (broad_filter is not null) q = q.Where(r => EF.Functions.ILike(r.Path, "%" + broad_filter + "%") || (r.Description != null && EF.Functions.ILike(r.Description, "%" + broad_filter + "%")));
        if (label is not null) q = q.Where(r => r.Labels != null && r.Labels.Contains(label));
        var visible = await VisibleAsync(who, q, ct);
        var linked = await LinkedVariables(db, who.Workspace, visible.Select(r => r.Path).ToList(), ct);
        return Results.Json(paging.Apply(visible).Select(r => Listable(r, null, linked.Contains(r.Path))));
    }

    private static string[] Csv(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string ParseJsonQuery(string raw, string name)
    {
        try { return (JsonNode.Parse(raw) ?? throw new System.Text.Json.JsonException()).ToJsonString(); }
        catch (System.Text.Json.JsonException) { throw WindmillError.BadRequest($"query parameter {name} must be JSON"); }
    }

    private static async Task<HashSet<string>> LinkedVariables(WindmillDb db, string workspace, List<string> paths, CancellationToken ct) =>
        (await db.Variables.AsNoTracking().Where(v => v.WorkspaceId == workspace && paths.Contains(v.Path)).Select(v => v.Path).ToListAsync(ct)).ToHashSet();

    private static ListableResource Listable(Resource r, JsonNode? value, bool isLinked) => new(
        r.WorkspaceId, r.Path, value, r.Description, r.ResourceType, ExtraPerms.FromJson(r.ExtraPerms).Entries.ToDictionary(),
        r.CreatedBy, r.EditedAt, isLinked, false, false, false, null, null, r.Labels);

    private static async Task<IResult> ListSearch(Authed who, WindmillDb db, CancellationToken ct)
    {
        var visible = await VisibleAsync(who, db.Resources.AsNoTracking().Where(r => r.WorkspaceId == who.Workspace), ct);
        return Results.Json(visible.Take(1000).Select(r => new { path = r.Path, value = JsonNode.Parse(r.Value) }));
    }

    private static async Task<IResult> ListNames(Authed who, WindmillDb db, string resource_type, CancellationToken ct)
    {
        var visible = await VisibleAsync(who, db.Resources.AsNoTracking().Where(r => r.WorkspaceId == who.Workspace && r.ResourceType == resource_type), ct);
        return Results.Json(visible.Select(r => new { name = (JsonNode.Parse(r.Value) as JsonObject)?["name"]?.ToString() ?? r.Path, path = r.Path }));
    }

    private static async Task<Resource> Load(Authed who, WindmillDb db, string path, bool tracking, CancellationToken ct)
    {
        var q = tracking ? db.Resources : db.Resources.AsNoTracking();
        var row = Access.RequireFound(await q.FirstOrDefaultAsync(r => r.WorkspaceId == who.Workspace && r.Path == path, ct), "Resource", path);
        Access.RequireRead(who, "Resource", path, row.ExtraPerms);
        return row;
    }

    private static async Task<IResult> Get(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        who.RequireScope($"resources:read:{path}");
        var r = await Load(who, db, path, false, ct);
        var linked = await db.Variables.AsNoTracking().AnyAsync(v => v.WorkspaceId == who.Workspace && v.Path == path, ct);
        return Results.Json(Listable(r, JsonNode.Parse(r.Value), linked));
    }

    private static async Task<IResult> Exists(Authed who, WindmillDb db, string path, CancellationToken ct) =>
        Results.Json(await db.Resources.AnyAsync(r => r.WorkspaceId == who.Workspace && r.Path == path, ct));

    private static async Task<IResult> GetValue(Authed who, WindmillDb db, AssetEvents assets, string path, CancellationToken ct)
    {
        who.RequireScope($"resources:read:{path}");
        var value = (await Load(who, db, path, false, ct)).Value;
        assets.Used(who, AssetKind.Resource, path, AssetAccess.R);
        return Replies.RawJson(value);
    }

    /// <summary>
    /// The hot path of every job that reads a resource: the whole <c>$res:</c> tree and its variables in one
    /// round trip. With <c>job_id</c>, <c>$WM_*</c> strings become that job's values (spec 3.5).
    /// <c>allow_cache</c> is accepted and ignored: a cache would break read-after-write of states.
    /// </summary>
    private static async Task<IResult> GetValueInterpolated(Authed who, NpgsqlDataSource db, SecretReveal reveal, JobContexts jobs,
        AssetEvents assets, HttpContext http, string path, Guid? job_id, bool? allow_cache, CancellationToken ct)
    {
        who.RequireScope($"resources:read:{path}");
        var source = new StoreReferenceSource(who, db, reveal, job_id is { } jobId
            ? c => jobs.ReservedVariablesAsync(who, jobId, TokenAuthenticator.ReadToken(http) ?? "", c)
            : null);
        var value = await source.GetResourceValueAsync(path, ct);
        var result = await ResourceInterpolator.InterpolateAsync(value, source, path, ct);
        assets.Used(who, AssetKind.Resource, path, AssetAccess.R);
        return Replies.RawJson(result?.ToJsonString() ?? "null");
    }

    /// <summary>
    /// Create (201). With <c>update_if_exists</c>, and always for <c>state</c> resources, an atomic upsert:
    /// two jobs writing the first state at once both succeed and the last one wins, where Windmill's
    /// exists-then-create answers the loser 400 "already exists".
    /// </summary>
    private static async Task<IResult> Create(Authed who, WindmillDb db, ResourceValueValidator validator, AuditLog audit, AssetEvents assets,
        CreateResource body, bool? update_if_exists, CancellationToken ct)
    {
        who.RequireScope($"resources:write:{body.Path}");
        who.RequireWriter("create resources");
        ObjectPath.Parse(body.Path);
        Names.CheckSimpleName(body.ResourceType, "resource_type");
        await validator.ValidateAsync(db, who.Workspace, body.Path, body.ResourceType, body.Value, ct);
        var value = body.Value?.ToJsonString() ?? "null";
        var upsert = update_if_exists == true || body.ResourceType == StateResourceType;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var updated = false;
        while (true)
        {
            var existing = await db.Resources
                .FromSqlInterpolated($"SELECT * FROM resource WHERE workspace_id = {who.Workspace} AND path = {body.Path} FOR UPDATE")
                .FirstOrDefaultAsync(ct);
            if (existing is not null)
            {
                if (!upsert) throw WindmillError.BadRequest($"Resource {body.Path} already exists");
                Access.RequireWrite(who, "Resource", body.Path, existing.ExtraPerms);
                existing.Value = value;
                existing.Description = body.Description ?? existing.Description;
                existing.ResourceType = body.ResourceType;
                existing.Labels = body.Labels ?? existing.Labels;
                existing.EditedAt = DateTime.UtcNow;
                await db.SaveChangesAsync(ct);
                updated = true;
                break;
            }
            Access.RequireCreate(who, "Resource", body.Path);
            var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO resource (workspace_id, path, value, description, resource_type, created_by, edited_at, labels)
                VALUES ({who.Workspace}, {body.Path}, {value}::jsonb, {body.Description}, {body.ResourceType}, {who.Username}, now(), {body.Labels})
                ON CONFLICT (workspace_id, path) DO NOTHING
                """, ct);
            if (inserted == 1) break;
            if (!upsert) throw WindmillError.BadRequest($"Resource {body.Path} already exists");
            // Created by someone else since our look: lock that row and update it.
        }
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, updated ? "resources.update" : "resources.create", updated ? "Update" : "Create", body.Path);
        assets.Used(who, AssetKind.Resource, body.Path, AssetAccess.W);
        return Replies.Created($"resource {body.Path} created");
    }

    /// <summary>The type <c>setState</c> writes (spec 4.3).</summary>
    public const string StateResourceType = "state";

    private static async Task<IResult> Update(Authed who, WindmillDb db, ResourceValueValidator validator, AuditLog audit,
        string path, EditResource body, CancellationToken ct)
    {
        who.RequireScope($"resources:write:{path}");
        who.RequireWriter("edit resources");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var r = await Load(who, db, path, true, ct);
        Access.RequireWrite(who, "Resource", path, r.ExtraPerms);
        if (body.ResourceType is not null) { Names.CheckSimpleName(body.ResourceType, "resource_type"); r.ResourceType = body.ResourceType; }
        if (body.Value is not null || body.ResourceType is not null)
        {
            var value = body.Value ?? JsonNode.Parse(r.Value);
            await validator.ValidateAsync(db, who.Workspace, path, r.ResourceType, value, ct);
            r.Value = value?.ToJsonString() ?? "null";
        }
        if (body.Description is not null) r.Description = body.Description;
        if (body.Labels is not null) r.Labels = body.Labels;
        r.EditedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);

        var newPath = body.Path ?? path;
        if (newPath != path)
        {
            Access.RequireOwner(who, "rename it", path);
            Access.RequireCreate(who, "Resource", newPath);
            if (await db.Resources.AnyAsync(x => x.WorkspaceId == who.Workspace && x.Path == newPath, ct))
                throw WindmillError.BadRequest($"Resource {newPath} already exists");
            await LinkedPairs.RenameAsync(db, who.Workspace, path, newPath, ct);
        }
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "resources.update", "Update", path, newPath != path ? new { new_path = newPath } : null);
        return Replies.Text($"resource {path} updated (npath: {newPath})");
    }

    private static async Task<IResult> UpdateValue(Authed who, WindmillDb db, ResourceValueValidator validator, AuditLog audit,
        AssetEvents assets, string path, EditResourceValue body, CancellationToken ct)
    {
        who.RequireScope($"resources:write:{path}");
        if (!body.HasValue) throw WindmillError.BadRequest("the body needs a value field: {\"value\": ...}");
        var r = await Load(who, db, path, true, ct);
        Access.RequireWrite(who, "Resource", path, r.ExtraPerms);
        await validator.ValidateAsync(db, who.Workspace, path, r.ResourceType, body.Value, ct);
        r.Value = body.Value?.ToJsonString() ?? "null";
        r.EditedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "resources.update", "Update", path);
        assets.Used(who, AssetKind.Resource, path, AssetAccess.W);
        return Replies.Text($"value of resource {path} updated");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireScope($"resources:write:{path}");
        who.RequireWriter("delete resources");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var r = await Load(who, db, path, true, ct);
        Access.RequireWrite(who, "Resource", path, r.ExtraPerms);
        await DeleteWithLinkedVariableAsync(db, r, ct);
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "resources.delete", "Delete", path);
        return Replies.Text($"resource {path} deleted");
    }

    /// <summary>
    /// Deletes the resource and the variable of its linked pair (same path, referenced as <c>$var:</c> in
    /// the value). Other referenced variables are shared data and stay.
    /// </summary>
    private static async Task DeleteWithLinkedVariableAsync(WindmillDb db, Resource r, CancellationToken ct)
    {
        db.Resources.Remove(r);
        if (r.Value.Contains("\"$var:" + r.Path + "\"", StringComparison.Ordinal))
            await db.Variables.Where(v => v.WorkspaceId == r.WorkspaceId && v.Path == r.Path).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
    }

    private static async Task<IResult> DeleteBulk(Authed who, WindmillDb db, AuditLog audit, [Microsoft.AspNetCore.Mvc.FromBody] PathList body, CancellationToken ct)
    {
        who.RequireWriter("delete resources");
        var rows = await db.Resources.Where(r => r.WorkspaceId == who.Workspace && body.Paths.Contains(r.Path)).ToListAsync(ct);
        var deletable = rows.Where(r => PathPermissions.CanWrite(who.Identity, r.Path, ExtraPerms.FromJson(r.ExtraPerms))
                                        && TokenScopes.Allows(who.Principal.Scopes, $"resources:write:{r.Path}"))
            .OrderBy(x => Array.IndexOf(body.Paths, x.Path)).ToList(); // answered in the caller's order
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var r in deletable) await DeleteWithLinkedVariableAsync(db, r, ct);
        await tx.CommitAsync(ct);
        foreach (var r in deletable) audit.Record(who.Workspace, who.Username, "resources.delete", "Delete", r.Path);
        return Results.Json(deletable.Select(r => r.Path));
    }
}
