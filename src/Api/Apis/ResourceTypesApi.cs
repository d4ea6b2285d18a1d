using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Resource types (spec 3.1-3.3): a name and a JSON Schema. Types in workspace <c>admins</c> are global
/// and merged into every workspace's lists; a workspace type of the same name wins.
/// </summary>
public static class ResourceTypesApi
{
    public const string Global = StoreSetup.AdminsWorkspace;

    public sealed record CreateResourceType(string Name, JsonNode? Schema, string? Description, string? FormatExtension, bool? IsFileset)
    {
        [JsonRequired] public string Name { get; init; } = Name;
    }

    public sealed record EditResourceType(JsonNode? Schema, string? Description, bool? IsFileset);

    public sealed record ResourceTypeView(
        string WorkspaceId, string Name, JsonNode? Schema, string? Description, string? CreatedBy, DateTime EditedAt,
        string? FormatExtension, bool IsFileset);

    public static RouteGroupBuilder MapResourceTypesApi(this RouteGroupBuilder resources)
    {
        var g = resources.MapGroup("/type");
        g.MapGet("/list", List);
        g.MapGet("/listnames", ListNames);
        g.MapGet("/get/{name}", Get);
        g.MapGet("/exists/{name}", Exists);
        g.MapPost("/create", Create);
        g.MapPost("/update/{name}", Update);
        g.MapDelete("/delete/{name}", Delete);
        resources.MapGet("/file_resource_type_to_file_ext_map", FileExtensions);
        return resources;
    }

    /// <summary>The workspace's types plus the global ones it does not shadow, by name.</summary>
    private static async Task<List<ResourceType>> VisibleAsync(WindmillDb db, string workspace, CancellationToken ct)
    {
        var rows = await db.ResourceTypes.AsNoTracking()
            .Where(t => t.WorkspaceId == workspace || t.WorkspaceId == Global).ToListAsync(ct);
        return rows.GroupBy(t => t.Name)
            .Select(g => g.OrderBy(t => t.WorkspaceId == workspace ? 0 : 1).First())
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    private static ResourceTypeView View(ResourceType t) => new(
        t.WorkspaceId, t.Name, t.Schema is null ? null : JsonNode.Parse(t.Schema), t.Description, t.CreatedBy, t.EditedAt, t.FormatExtension, t.IsFileset);

    private static async Task<IResult> List(Authed who, WindmillDb db, CancellationToken ct) =>
        Results.Json((await VisibleAsync(db, who.Workspace, ct)).Select(View));

    private static async Task<IResult> ListNames(Authed who, WindmillDb db, CancellationToken ct) =>
        Results.Json((await VisibleAsync(db, who.Workspace, ct)).Select(t => t.Name));

    private static async Task<ResourceType?> FindAsync(WindmillDb db, string workspace, string name, CancellationToken ct) =>
        await db.ResourceTypes.AsNoTracking()
            .Where(t => t.Name == name && (t.WorkspaceId == workspace || t.WorkspaceId == Global))
            .OrderBy(t => t.WorkspaceId == workspace ? 0 : 1).FirstOrDefaultAsync(ct);

    private static async Task<IResult> Get(Authed who, WindmillDb db, string name, CancellationToken ct) =>
        Results.Json(View(Access.RequireFound(await FindAsync(db, who.Workspace, name, ct), "ResourceType", name)));

    private static async Task<IResult> Exists(Authed who, WindmillDb db, string name, CancellationToken ct) =>
        Results.Json(await FindAsync(db, who.Workspace, name, ct) is not null);

    private static async Task<IResult> Create(Authed who, WindmillDb db, AuditLog audit, CreateResourceType body, CancellationToken ct)
    {
        who.RequireWriter("create resource types");
        Names.CheckSimpleName(body.Name, "resource type name");
        ResourceSchema.CheckUsable(body.Schema, body.Name);
        if (await FindAsync(db, who.Workspace, body.Name, ct) is { } existing)
            throw WindmillError.BadRequest(existing.WorkspaceId == who.Workspace
                ? $"resource type {body.Name} already exists"
                : $"resource type {body.Name} already exists as a global type");
        db.ResourceTypes.Add(new ResourceType
        {
            WorkspaceId = who.Workspace, Name = body.Name, Schema = body.Schema?.ToJsonString(), Description = body.Description,
            FormatExtension = body.FormatExtension, IsFileset = body.IsFileset ?? false, CreatedBy = who.Username, EditedAt = DateTime.UtcNow,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"resource type {body.Name} already exists"); }
        audit.Record(who.Workspace, who.Username, "resource_types.create", "Create", body.Name);
        return Replies.Created($"resource_type {body.Name} created");
    }

    private static async Task<IResult> Update(Authed who, WindmillDb db, AuditLog audit, string name, EditResourceType body, CancellationToken ct)
    {
        who.RequireWriter("edit resource types");
        var t = await db.ResourceTypes.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Name == name, ct);
        if (t is null)
            throw await FindAsync(db, who.Workspace, name, ct) is not null
                ? WindmillError.PermissionDenied($"resource type {name} is global; edit it from workspace {Global}")
                : WindmillError.NotFound($"ResourceType {name} not found");
        if (body.Schema is not null) { ResourceSchema.CheckUsable(body.Schema, name); t.Schema = body.Schema.ToJsonString(); }
        if (body.Description is not null) t.Description = body.Description;
        if (body.IsFileset is not null) t.IsFileset = body.IsFileset.Value;
        t.EditedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "resource_types.update", "Update", name);
        return Replies.Text($"resource_type {name} updated");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string name, CancellationToken ct)
    {
        who.RequireAdmin("deleting resource types");
        var deleted = await db.ResourceTypes.Where(x => x.WorkspaceId == who.Workspace && x.Name == name).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw WindmillError.NotFound($"ResourceType {name} not found");
        audit.Record(who.Workspace, who.Username, "resource_types.delete", "Delete", name);
        return Replies.Text($"resource_type {name} deleted");
    }

    private static async Task<IResult> FileExtensions(Authed who, WindmillDb db, CancellationToken ct) =>
        Results.Json((await VisibleAsync(db, who.Workspace, ct))
            .Where(t => t.FormatExtension is not null || t.IsFileset)
            .ToDictionary(t => t.Name, t => new { format_extension = t.FormatExtension, is_fileset = t.IsFileset }));
}
