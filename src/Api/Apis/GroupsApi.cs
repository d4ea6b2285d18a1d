namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Groups (spec 1.1): named sets of users. Members reach <c>g/&lt;group&gt;/...</c> paths and whatever names
/// <c>g/&lt;group&gt;</c> in an ACL. Admins and the group's owners (write in its <c>extra_perms</c>) manage it.
/// Every user is implicitly in <c>all</c>.
/// </summary>
public static class GroupsApi
{
    public const string All = "all";

    public sealed record CreateGroup(string Name, string? Summary) { [JsonRequired] public string Name { get; init; } = Name; }
    public sealed record EditGroup(string? Summary);
    public sealed record Username(string Username_) { [JsonPropertyName("username"), JsonRequired] public string Username_ { get; init; } = Username_; }
    public sealed record GroupView(string WorkspaceId, string Name, string? Summary, Dictionary<string, bool> ExtraPerms, IEnumerable<string>? Members);

    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/groups");
        g.MapPost("/create", Create);
        g.MapGet("/list", List);
        g.MapGet("/listnames", async (Authed who, WindmillDb db, CancellationToken ct) =>
            Results.Json((await db.Groups.AsNoTracking().Where(x => x.WorkspaceId == who.Workspace).Select(x => x.Name).ToListAsync(ct)).Append(All).Distinct().Order()));
        g.MapGet("/get/{name}", Get);
        g.MapPost("/update/{name}", Update);
        g.MapPost("/adduser/{name}", AddUser);
        g.MapPost("/removeuser/{name}", RemoveUser);
        g.MapDelete("/delete/{name}", Delete);
        return w;
    }

    private static async Task<Group> Load(Authed who, WindmillDb db, string name, bool tracking, CancellationToken ct)
    {
        var q = tracking ? db.Groups : db.Groups.AsNoTracking();
        return await q.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Name == name, ct)
            ?? throw WindmillError.NotFound($"Group {name} not found");
    }

    internal static void RequireGroupOwner(Authed who, Group g)
    {
        if (!who.Identity.IsAdmin && !ExtraPerms.FromJson(g.ExtraPerms).Grants(who.Identity, write: true))
            throw WindmillError.PermissionDenied($"only an owner of group {g.Name} (or an admin) may change it");
    }

    private static async Task<IResult> Create(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, CreateGroup body, CancellationToken ct)
    {
        who.RequireWriter("create groups");
        Names.CheckSimpleName(body.Name, "group name");
        if (body.Name == All) throw WindmillError.BadRequest("group all exists implicitly and cannot be created");
        db.Groups.Add(new Group
        {
            WorkspaceId = who.Workspace, Name = body.Name, Summary = body.Summary,
            ExtraPerms = new ExtraPerms(new Dictionary<string, bool> { ["u/" + who.Username] = true }).ToJson(),
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"Group {body.Name} already exists"); }
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "group.create", "Create", body.Name);
        return Replies.Created($"Created group {body.Name}");
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, CancellationToken ct)
    {
        var rows = await db.Groups.AsNoTracking().Where(x => x.WorkspaceId == who.Workspace).OrderBy(x => x.Name).ToListAsync(ct);
        return Results.Json(rows.Select(x => new GroupView(x.WorkspaceId, x.Name, x.Summary, ExtraPerms.FromJson(x.ExtraPerms).Entries.ToDictionary(), null)));
    }

    private static async Task<IResult> Get(Authed who, WindmillDb db, string name, CancellationToken ct)
    {
        if (name == All)
            return Results.Json(new GroupView(who.Workspace, All, "every user of the workspace", [],
                await db.Users.AsNoTracking().Where(u => u.WorkspaceId == who.Workspace).OrderBy(u => u.Username).Select(u => u.Username).ToListAsync(ct)));
        var g = await Load(who, db, name, false, ct);
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.WorkspaceId == who.Workspace && m.GroupName == name).OrderBy(m => m.Username).Select(m => m.Username).ToListAsync(ct);
        return Results.Json(new GroupView(g.WorkspaceId, g.Name, g.Summary, ExtraPerms.FromJson(g.ExtraPerms).Entries.ToDictionary(), members));
    }

    private static async Task<IResult> Update(Authed who, WindmillDb db, string name, EditGroup body, CancellationToken ct)
    {
        var g = await Load(who, db, name, true, ct);
        RequireGroupOwner(who, g);
        if (body.Summary is not null) g.Summary = body.Summary;
        await db.SaveChangesAsync(ct);
        return Replies.Text($"Updated group {name}");
    }

    private static async Task<IResult> AddUser(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string name, Username body, CancellationToken ct)
    {
        var g = await Load(who, db, name, false, ct);
        RequireGroupOwner(who, g);
        if (!await db.Users.AnyAsync(u => u.WorkspaceId == who.Workspace && u.Username == body.Username_, ct))
            throw WindmillError.NotFound($"user {body.Username_} not found in workspace {who.Workspace}");
        if (!await db.GroupMembers.AnyAsync(m => m.WorkspaceId == who.Workspace && m.GroupName == name && m.Username == body.Username_, ct))
        {
            db.GroupMembers.Add(new GroupMember { WorkspaceId = who.Workspace, GroupName = name, Username = body.Username_ });
            await db.SaveChangesAsync(ct);
        }
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "group.adduser", "Update", name, new { username = body.Username_ });
        return Replies.Text($"Added {body.Username_} to group {name}");
    }

    private static async Task<IResult> RemoveUser(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string name, Username body, CancellationToken ct)
    {
        var g = await Load(who, db, name, false, ct);
        RequireGroupOwner(who, g);
        await db.GroupMembers.Where(m => m.WorkspaceId == who.Workspace && m.GroupName == name && m.Username == body.Username_).ExecuteDeleteAsync(ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "group.removeuser", "Update", name, new { username = body.Username_ });
        return Replies.Text($"Removed {body.Username_} from group {name}");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string name, CancellationToken ct)
    {
        var g = await Load(who, db, name, true, ct);
        RequireGroupOwner(who, g);
        db.Groups.Remove(g);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "group.delete", "Delete", name);
        return Replies.Text($"Deleted group {name}");
    }
}
