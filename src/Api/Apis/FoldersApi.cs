namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Folders (spec 1.3): <c>extra_perms</c> say who reads (<c>false</c>) and writes (<c>true</c>) the paths
/// <c>f/&lt;folder&gt;/...</c>; owners may change that. The creator becomes an owner.
/// </summary>
public static class FoldersApi
{
    public sealed record CreateFolder(string Name, string? Summary, string[]? Owners, Dictionary<string, bool>? ExtraPerms, string? DisplayName)
    {
        [JsonRequired] public string Name { get; init; } = Name;
    }

    public sealed record EditFolder(string? Summary, string[]? Owners, Dictionary<string, bool>? ExtraPerms, string? DisplayName);

    public sealed record Owner(string Owner_) { [JsonPropertyName("owner"), JsonRequired] public string Owner_ { get; init; } = Owner_; }

    public sealed record FolderView(string WorkspaceId, string Name, string DisplayName, string[] Owners, Dictionary<string, bool> ExtraPerms,
        string? Summary, string? CreatedBy, DateTime EditedAt);

    public static RouteGroupBuilder MapFoldersApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/folders");
        g.MapPost("/create", Create);
        g.MapGet("/list", List);
        g.MapGet("/listnames", async (Authed who, WindmillDb db, CancellationToken ct) => Results.Json((await VisibleAsync(who, db, ct)).Select(f => f.Name)));
        g.MapGet("/get/{name}", Get);
        g.MapGet("/exists/{name}", async (Authed who, WindmillDb db, string name, CancellationToken ct) =>
            Results.Json(await db.Folders.AnyAsync(f => f.WorkspaceId == who.Workspace && f.Name == name, ct)));
        g.MapPost("/update/{name}", Update);
        g.MapPost("/addowner/{name}", AddOwner);
        g.MapPost("/removeowner/{name}", RemoveOwner);
        g.MapDelete("/delete/{name}", Delete);
        return w;
    }

    private static FolderView View(Folder f) => new(f.WorkspaceId, f.Name, f.DisplayName, f.Owners, ExtraPerms.FromJson(f.ExtraPerms).Entries.ToDictionary(),
        f.Summary, f.CreatedBy, f.EditedAt);

    private static bool CanSee(Authed who, Folder f) => who.Identity.IsAdmin || who.Identity.FoldersRead.Contains(f.Name) || who.Identity.FoldersOwned.Contains(f.Name);

    private static async Task<List<Folder>> VisibleAsync(Authed who, WindmillDb db, CancellationToken ct) =>
        (await db.Folders.AsNoTracking().Where(f => f.WorkspaceId == who.Workspace).OrderBy(f => f.Name).ToListAsync(ct)).Where(f => CanSee(who, f)).ToList();

    internal static void CheckPrincipal(string principal)
    {
        if (!(principal.StartsWith("u/") || principal.StartsWith("g/")) || principal.Length < 3 || principal[2..].Contains('/'))
            throw WindmillError.BadRequest($"invalid owner '{principal}': use u/<username> or g/<group>");
        Names.CheckSimpleName(principal[2..], "owner name", 255);
    }

    private static async Task<IResult> Create(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, CreateFolder body, CancellationToken ct)
    {
        who.RequireWriter("create folders");
        Names.CheckSimpleName(body.Name, "folder name", 255);
        var creator = "u/" + who.Username;
        var owners = (body.Owners ?? []).Append(creator).Distinct().ToArray();
        foreach (var o in owners) CheckPrincipal(o);
        var perms = new Dictionary<string, bool>(body.ExtraPerms ?? []);
        foreach (var p in perms.Keys) CheckPrincipal(p);
        foreach (var o in owners) perms[o] = true;
        db.Folders.Add(new Folder
        {
            WorkspaceId = who.Workspace, Name = body.Name, DisplayName = body.DisplayName ?? body.Name, Owners = owners,
            ExtraPerms = new ExtraPerms(perms).ToJson(), Summary = body.Summary, CreatedBy = who.Username, EditedAt = DateTime.UtcNow,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"Folder {body.Name} already exists"); }
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "folder.create", "Create", body.Name);
        return Replies.Created($"Created folder {body.Name}");
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, int? page, int? per_page, CancellationToken ct) =>
        Results.Json(Paging.From(page, per_page, Paging.MaxPerPage).Apply(await VisibleAsync(who, db, ct)).Select(View));

    private static async Task<Folder> Load(Authed who, WindmillDb db, string name, bool tracking, CancellationToken ct)
    {
        var q = tracking ? db.Folders : db.Folders.AsNoTracking();
        var f = await q.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Name == name, ct)
            ?? throw WindmillError.NotFound($"Folder {name} not found");
        if (!CanSee(who, f)) throw WindmillError.NotAuthorized($"Folder exists but you don't have access to it: {name}");
        return f;
    }

    internal static void RequireFolderOwner(Authed who, string name)
    {
        if (!who.Identity.IsAdmin && !who.Identity.FoldersOwned.Contains(name))
            throw WindmillError.PermissionDenied($"only an owner of folder {name} (or an admin) may change it");
    }

    private static async Task<IResult> Get(Authed who, WindmillDb db, string name, CancellationToken ct) => Results.Json(View(await Load(who, db, name, false, ct)));

    private static async Task<IResult> Update(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string name, EditFolder body, CancellationToken ct)
    {
        var f = await Load(who, db, name, true, ct);
        RequireFolderOwner(who, name);
        if (body.Owners is not null) { foreach (var o in body.Owners) CheckPrincipal(o); f.Owners = body.Owners.Distinct().ToArray(); }
        if (body.ExtraPerms is not null) { foreach (var p in body.ExtraPerms.Keys) CheckPrincipal(p); f.ExtraPerms = new ExtraPerms(body.ExtraPerms).ToJson(); }
        if (body.Summary is not null) f.Summary = body.Summary;
        if (body.DisplayName is not null) f.DisplayName = body.DisplayName;
        f.EditedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "folder.update", "Update", name);
        return Replies.Text($"Updated folder {name}");
    }

    private static async Task<IResult> AddOwner(Authed who, WindmillDb db, AuthCache cache, string name, Owner body, CancellationToken ct)
    {
        CheckPrincipal(body.Owner_);
        var f = await Load(who, db, name, true, ct);
        RequireFolderOwner(who, name);
        f.Owners = f.Owners.Append(body.Owner_).Distinct().ToArray();
        f.ExtraPerms = ExtraPerms.FromJson(f.ExtraPerms).With(body.Owner_, true).ToJson();
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return Replies.Text($"Added {body.Owner_} to folder {name}");
    }

    private static async Task<IResult> RemoveOwner(Authed who, WindmillDb db, AuthCache cache, string name, Owner body, CancellationToken ct)
    {
        CheckPrincipal(body.Owner_);
        var f = await Load(who, db, name, true, ct);
        RequireFolderOwner(who, name);
        f.Owners = f.Owners.Where(o => o != body.Owner_).ToArray();
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return Replies.Text($"Removed {body.Owner_} from the owners of folder {name}");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuthCache cache, AuditLog audit, string name, CancellationToken ct)
    {
        var f = await Load(who, db, name, true, ct);
        RequireFolderOwner(who, name);
        db.Folders.Remove(f);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        audit.Record(who.Workspace, who.Username, "folder.delete", "Delete", name);
        return Replies.Text($"Deleted folder {name}");
    }
}
