namespace Windmill.Jobs.Api.Apis;

/// <summary>Instance users and their API tokens (<c>/api/users</c>), and workspace members (<c>/api/w/{w}/users</c>).</summary>
public static class UsersApi
{
    public sealed record CreateUser(string Email, string Password, bool SuperAdmin, string? Name)
    {
        [JsonRequired] public string Email { get; init; } = Email;
        [JsonRequired] public string Password { get; init; } = Password;
    }

    public sealed record NewToken(string? Label, DateTime? Expiration, string[]? Scopes, string? WorkspaceId);

    public sealed record EditWorkspaceUser(bool? IsAdmin, bool? Operator, bool? Disabled);

    public sealed record GlobalUserInfo(string Email, string LoginType, bool SuperAdmin, bool Verified, string? Name, string? Username, bool FirstTimeUser);

    public sealed record TokenView(string TokenPrefix, string? Label, DateTime? Expiration, DateTime CreatedAt, DateTime? LastUsedAt, string[]? Scopes, string? WorkspaceId);

    /// <summary>A workspace member as Windmill's <c>User</c>.</summary>
    public sealed record UserView(
        string Email, string Username, bool IsAdmin, bool IsSuperAdmin, DateTime CreatedAt, bool Operator, bool Disabled,
        IEnumerable<string> Groups, IEnumerable<string> Folders, IEnumerable<string> FoldersOwners, string? Name, string Role);

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/users/create", Create);
        api.MapGet("/users/whoami", WhoAmI);
        api.MapPost("/users/tokens/create", CreateToken);
        api.MapGet("/users/tokens/list", ListTokens);
        api.MapDelete("/users/tokens/delete/{token_prefix}", DeleteToken);
        return api;
    }

    public static RouteGroupBuilder MapWorkspaceUsersApi(this RouteGroupBuilder w)
    {
        w.MapGet("/users/whoami", WorkspaceWhoAmI);
        w.MapGet("/users/list", List);
        w.MapGet("/users/listusernames", async (Authed who, WindmillDb db, CancellationToken ct) =>
            Results.Json(await db.Users.AsNoTracking().Where(u => u.WorkspaceId == who.Workspace).OrderBy(u => u.Username).Select(u => u.Username).ToListAsync(ct)));
        w.MapGet("/users/whois/{username}", WhoIs);
        w.MapPost("/users/update/{username}", Update);
        w.MapDelete("/users/delete/{username}", Delete);
        return w;
    }

    public static async Task<string> IssueTokenAsync(WindmillDb db, string email, string? label, DateTime? expiration, string[]? scopes, string? workspace, CancellationToken ct)
    {
        var token = ApiToken.New();
        db.Tokens.Add(new Token
        {
            TokenHash = ApiToken.HashOf(token), TokenPrefix = ApiToken.PrefixOf(token), Label = label, Expiration = expiration,
            Email = email, Scopes = scopes, WorkspaceId = workspace, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    private static async Task<IResult> Create(InstanceAuthed who, WindmillDb db, CreateUser body, CancellationToken ct)
    {
        who.RequireSuperAdmin("creating users");
        var email = body.Email.Trim().ToLowerInvariant();
        if (!email.Contains('@') || email.Length > 255) throw WindmillError.BadRequest($"invalid email '{body.Email}'");
        if (body.Password.Length < 1) throw WindmillError.BadRequest("password must not be empty");
        db.InstanceUsers.Add(new InstanceUser
        {
            Email = email, PasswordHash = PasswordHash.Hash(body.Password), SuperAdmin = body.SuperAdmin, Name = body.Name, CreatedAt = DateTime.UtcNow,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"user {email} already exists"); }
        return Replies.Created($"email {email} created");
    }

    private static async Task<IResult> WhoAmI(InstanceAuthed who, WindmillDb db, CancellationToken ct)
    {
        var p = who.Principal;
        var user = await db.InstanceUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Email == p.Email, ct);
        return Results.Json(new GlobalUserInfo(p.Email, user?.LoginType ?? "password", p.IsSuperAdmin, true, user?.Name, p.FixedUsername, false));
    }

    private static async Task<IResult> CreateToken(InstanceAuthed who, WindmillDb db, NewToken body, CancellationToken ct)
    {
        if (who.Principal.FixedUsername is not null) throw WindmillError.BadRequest("SUPERADMIN_SECRET cannot create tokens; log in as a user");
        if (body.Expiration is { } e && e < DateTime.UtcNow) throw WindmillError.BadRequest("expiration must be in the future");
        if (who.Principal.TokenWorkspace is { } only && body.WorkspaceId != only)
            throw WindmillError.PermissionDenied($"a token limited to workspace {only} can only create tokens for it");
        var token = await IssueTokenAsync(db, who.Principal.Email, body.Label, body.Expiration, body.Scopes, body.WorkspaceId, ct);
        return Replies.Created(token);
    }

    private static async Task<IResult> ListTokens(InstanceAuthed who, WindmillDb db, CancellationToken ct) =>
        Results.Json(await db.Tokens.AsNoTracking().Where(t => t.Email == who.Principal.Email).OrderByDescending(t => t.CreatedAt)
            .Select(t => new TokenView(t.TokenPrefix, t.Label, t.Expiration, t.CreatedAt, t.LastUsedAt, t.Scopes, t.WorkspaceId)).ToListAsync(ct));

    private static async Task<IResult> DeleteToken(InstanceAuthed who, WindmillDb db, AuthCache cache, string token_prefix, CancellationToken ct)
    {
        var deleted = await db.Tokens.Where(t => t.Email == who.Principal.Email && t.TokenPrefix == token_prefix).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw WindmillError.NotFound($"token {token_prefix} not found");
        cache.Invalidate();
        return Replies.Text($"deleted token {token_prefix}");
    }

    private static UserView View(WorkspaceIdentity i, DateTime createdAt, bool disabled, string? name) => new(
        i.Email, i.Username, i.IsAdmin, i.IsSuperAdmin, createdAt, i.IsOperator, disabled,
        i.Groups.Order(), i.FoldersRead.Order(), i.FoldersOwned.Order(), name, i.IsAdmin ? "Admin" : i.IsOperator ? "Operator" : "Developer");

    private static async Task<IResult> WorkspaceWhoAmI(Authed who, WindmillDb db, CancellationToken ct)
    {
        var row = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.WorkspaceId == who.Workspace && u.Username == who.Username, ct);
        var name = await db.InstanceUsers.AsNoTracking().Where(u => u.Email == who.Identity.Email).Select(u => u.Name).FirstOrDefaultAsync(ct);
        return Results.Json(View(who.Identity, row?.CreatedAt ?? DateTime.UtcNow, false, name));
    }

    private static async Task<List<UserView>> MembersAsync(WindmillDb db, string workspace, string? onlyUsername, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.WorkspaceId == workspace && (onlyUsername == null || u.Username == onlyUsername))
            .OrderBy(u => u.Username).ToListAsync(ct);
        var memberships = await db.GroupMembers.AsNoTracking().Where(m => m.WorkspaceId == workspace).ToListAsync(ct);
        var names = await db.InstanceUsers.AsNoTracking().Where(u => users.Select(x => x.Email).Contains(u.Email)).ToDictionaryAsync(u => u.Email, u => u.Name, ct);
        var superAdmins = await db.InstanceUsers.AsNoTracking().Where(u => u.SuperAdmin).Select(u => u.Email).ToListAsync(ct);
        return users.Select(u => new UserView(u.Email, u.Username, u.IsAdmin, superAdmins.Contains(u.Email), u.CreatedAt, u.Operator, u.Disabled,
            memberships.Where(m => m.Username == u.Username).Select(m => m.GroupName).Append("all").Order(), [], [],
            names.GetValueOrDefault(u.Email), u.IsAdmin ? "Admin" : u.Operator ? "Operator" : "Developer")).ToList();
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, CancellationToken ct) =>
        Results.Json(await MembersAsync(db, who.Workspace, null, ct));

    private static async Task<IResult> WhoIs(Authed who, WindmillDb db, string username, CancellationToken ct) =>
        Results.Json((await MembersAsync(db, who.Workspace, username, ct)).FirstOrDefault()
            ?? throw WindmillError.NotFound($"user {username} not found in workspace {who.Workspace}"));

    private static async Task<IResult> Update(Authed who, WindmillDb db, AuthCache cache, string username, EditWorkspaceUser body, CancellationToken ct)
    {
        who.RequireAdmin("updating users");
        var u = await db.Users.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Username == username, ct)
            ?? throw WindmillError.NotFound($"user {username} not found in workspace {who.Workspace}");
        if (body.IsAdmin is { } a) u.IsAdmin = a;
        if (body.Operator is { } o) u.Operator = o;
        if (body.Disabled is { } d) u.Disabled = d;
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return Replies.Text($"user {username} updated");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuthCache cache, string username, CancellationToken ct)
    {
        who.RequireAdmin("removing users");
        var deleted = await db.Users.Where(x => x.WorkspaceId == who.Workspace && x.Username == username).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw WindmillError.NotFound($"user {username} not found in workspace {who.Workspace}");
        await db.GroupMembers.Where(m => m.WorkspaceId == who.Workspace && m.Username == username).ExecuteDeleteAsync(ct);
        cache.Invalidate();
        return Replies.Text($"user {username} removed from workspace {who.Workspace}");
    }
}
