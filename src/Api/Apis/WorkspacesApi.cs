namespace Windmill.Jobs.Api.Apis;

/// <summary>Workspaces (spec 1.1, 16): creating one (superadmins), listing one's own, adding members.</summary>
public static class WorkspacesApi
{
    public sealed record CreateWorkspace(string Id, string Name, string? Username)
    {
        [JsonRequired] public string Id { get; init; } = Id;
        [JsonRequired] public string Name { get; init; } = Name;
    }

    public sealed record AddUser(string Email, bool IsAdmin, string? Username, bool? Operator)
    {
        [JsonRequired] public string Email { get; init; } = Email;
    }

    public sealed record WorkspaceView(string Id, string Name, string Owner, string? Domain, string? Color);

    public sealed record WorkspaceId(string Id) { [JsonRequired] public string Id { get; init; } = Id; }

    public static IEndpointRouteBuilder MapWorkspacesApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/workspaces/create", Create);
        api.MapGet("/workspaces/list", List);
        api.MapGet("/workspaces/list_as_superadmin", ListAll);
        api.MapPost("/workspaces/exists", async (InstanceAuthed _, WindmillDb db, WorkspaceId body, CancellationToken ct) =>
            Results.Json(await db.Workspaces.AnyAsync(w => w.Id == body.Id, ct)));
        return api;
    }

    public static RouteGroupBuilder MapWorkspaceAdminApi(this RouteGroupBuilder w)
    {
        w.MapPost("/workspaces/add_user", AddUserAsync);
        return w;
    }

    private static async Task<IResult> Create(InstanceAuthed who, WindmillDb db, CreateWorkspace body, CancellationToken ct)
    {
        who.RequireSuperAdmin("creating workspaces");
        Names.CheckWorkspaceId(body.Id);
        var username = body.Username ?? who.Principal.FixedUsername ?? Names.UsernameFromEmail(who.Principal.Email);
        Names.CheckSimpleName(username, "username", 255);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Workspaces.AnyAsync(x => x.Id == body.Id, ct)) throw WindmillError.BadRequest($"workspace {body.Id} already exists");
        db.Workspaces.Add(new Workspace { Id = body.Id, Name = body.Name, Owner = who.Principal.Email, CreatedAt = DateTime.UtcNow });
        db.WorkspaceKeys.Add(new WorkspaceKey { WorkspaceId = body.Id, Key = StoreSetup.NewWorkspaceKey() });
        db.Users.Add(new WorkspaceUser { WorkspaceId = body.Id, Username = username, Email = who.Principal.Email, IsAdmin = true, CreatedAt = DateTime.UtcNow });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"workspace {body.Id} already exists"); }
        await tx.CommitAsync(ct);
        return Replies.Created($"Created workspace {body.Id}");
    }

    private static async Task<IResult> List(InstanceAuthed who, WindmillDb db, CancellationToken ct)
    {
        var ids = db.Users.Where(u => u.Email == who.Principal.Email && !u.Disabled).Select(u => u.WorkspaceId);
        return Results.Json(await db.Workspaces.AsNoTracking().Where(w => !w.Deleted && ids.Contains(w.Id)).OrderBy(w => w.Id)
            .Select(w => new WorkspaceView(w.Id, w.Name, w.Owner, null, null)).ToListAsync(ct));
    }

    private static async Task<IResult> ListAll(InstanceAuthed who, WindmillDb db, CancellationToken ct)
    {
        who.RequireSuperAdmin("listing all workspaces");
        return Results.Json(await db.Workspaces.AsNoTracking().Where(w => !w.Deleted).OrderBy(w => w.Id)
            .Select(w => new WorkspaceView(w.Id, w.Name, w.Owner, null, null)).ToListAsync(ct));
    }

    private static async Task<IResult> AddUserAsync(Authed who, WindmillDb db, AuthCache cache, AddUser body, CancellationToken ct)
    {
        who.RequireAdmin("adding users");
        var email = body.Email.Trim().ToLowerInvariant();
        var username = body.Username ?? Names.UsernameFromEmail(email);
        Names.CheckSimpleName(username, "username", 255);
        if (await db.Users.AnyAsync(u => u.WorkspaceId == who.Workspace && (u.Email == email || u.Username == username), ct))
            throw WindmillError.BadRequest($"user {email} or username {username} is already in workspace {who.Workspace}");
        db.Users.Add(new WorkspaceUser
        {
            WorkspaceId = who.Workspace, Username = username, Email = email, IsAdmin = body.IsAdmin, Operator = body.Operator ?? false, CreatedAt = DateTime.UtcNow,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"user {email} is already in workspace {who.Workspace}"); }
        cache.Invalidate();
        return Replies.Created($"user {email} added to workspace {who.Workspace} as {username}");
    }
}
