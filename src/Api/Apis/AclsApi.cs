namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Granular ACLs (spec 16): read and edit the <c>extra_perms</c> of one object. Path-owned kinds need
/// ownership of the path; folders need a folder owner; groups need a group owner.
/// </summary>
public static class AclsApi
{
    public sealed record AddAcl(string Owner, bool? Write) { [JsonRequired] public string Owner { get; init; } = Owner; }
    public sealed record RemoveAcl(string Owner) { [JsonRequired] public string Owner { get; init; } = Owner; }

    /// <summary>Where each kind keeps its rows: table and key column (a fixed list, so safe to put in SQL).</summary>
    private static readonly Dictionary<string, (string Table, string Key, string Display)> Kinds = new()
    {
        ["variable"] = ("variable", "path", "Variable"),
        ["resource"] = ("resource", "path", "Resource"),
        ["folder"] = ("folder", "name", "Folder"),
        ["group_"] = ("group_", "name", "Group"),
        ["script"] = ("script", "path", "Script"), // every version of the path
        ["flow"] = ("flow", "path", "Flow"),
        ["schedule"] = ("schedule", "path", "Schedule"),
    };

    public static RouteGroupBuilder MapAclsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/acls");
        g.MapGet("/get/{kind}/{*path}", Get);
        g.MapPost("/add/{kind}/{*path}", Add);
        g.MapPost("/remove/{kind}/{*path}", Remove);
        return w;
    }

    private static (string Table, string Key, string Display) KindOf(string kind) =>
        Kinds.TryGetValue(kind, out var k) ? k : throw WindmillError.BadRequest($"unknown ACL kind '{kind}': use one of {string.Join(", ", Kinds.Keys)}");

    private static async Task<ExtraPerms> LoadAsync(Authed who, WindmillDb db, string kind, string path, CancellationToken ct)
    {
        var (table, key, display) = KindOf(kind);
#pragma warning disable EF1002 // table and column come from the Kinds whitelist; every value is a parameter
        var json = await db.Database.SqlQueryRaw<string>(
            $"SELECT extra_perms::text AS \"Value\" FROM {table} WHERE workspace_id = {{0}} AND {key} = {{1}}", who.Workspace, path)
            .FirstOrDefaultAsync(ct) ?? throw WindmillError.NotFound($"{display} {path} not found");
#pragma warning restore EF1002
        var perms = ExtraPerms.FromJson(json);
        if (key == "path") Access.RequireRead(who, display, path, json);
        return perms;
    }

    private static async Task RequireManageAsync(Authed who, WindmillDb db, string kind, string path, CancellationToken ct)
    {
        switch (kind)
        {
            case "folder": FoldersApi.RequireFolderOwner(who, path); break;
            case "group_":
                var g = await db.Groups.AsNoTracking().FirstAsync(x => x.WorkspaceId == who.Workspace && x.Name == path, ct);
                GroupsApi.RequireGroupOwner(who, g);
                break;
            default: Access.RequireOwner(who, "change its permissions", path); break;
        }
    }

    private static async Task<IResult> Get(Authed who, WindmillDb db, string kind, string path, CancellationToken ct) =>
        Results.Json((await LoadAsync(who, db, kind, path, ct)).Entries);

    private static async Task<IResult> Add(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string kind, string path, AddAcl body, CancellationToken ct)
    {
        FoldersApi.CheckPrincipal(body.Owner);
        await LoadAsync(who, db, kind, path, ct);
        await RequireManageAsync(who, db, kind, path, ct);
        await UpdateAsync(db, kind, "extra_perms || jsonb_build_object({0}::text, {1}::boolean)", [body.Owner, body.Write ?? false], who.Workspace, path, ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "acl.add", "Update", $"{kind}/{path}", new { owner = body.Owner, write = body.Write ?? false });
        return Replies.Text("Successfully modified granular acl");
    }

    private static async Task<IResult> Remove(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string kind, string path, RemoveAcl body, CancellationToken ct)
    {
        FoldersApi.CheckPrincipal(body.Owner);
        await LoadAsync(who, db, kind, path, ct);
        await RequireManageAsync(who, db, kind, path, ct);
        await UpdateAsync(db, kind, "extra_perms - {0}::text", [body.Owner], who.Workspace, path, ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "acl.remove", "Update", $"{kind}/{path}", new { owner = body.Owner });
        return Replies.Text("Successfully removed granular acl");
    }

    /// <summary>One atomic jsonb update, so concurrent ACL edits of one object never lose each other.</summary>
    private static Task UpdateAsync(WindmillDb db, string kind, string newPerms, object[] args, string workspace, string path, CancellationToken ct)
    {
        var (table, key, _) = KindOf(kind);
        var n = args.Length;
#pragma warning disable EF1002 // table and column from the Kinds whitelist, newPerms a jsonb expression over {0}..{n-1}; values are parameters
        return db.Database.ExecuteSqlRawAsync(
            $"UPDATE {table} SET extra_perms = {newPerms} WHERE workspace_id = {{{n}}} AND {key} = {{{n + 1}}}", [.. args, workspace, path], ct);
#pragma warning restore EF1002
    }
}
