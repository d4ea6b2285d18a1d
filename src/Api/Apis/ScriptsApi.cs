using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.Api.Apis;

/// <summary>
/// Scripts (spec 16): versions identified by a 16-hex hash. A path has one live version; a new version
/// names the current one as <c>parent_hash</c> and archives it. The arguments are read from the code
/// when no schema is given.
/// </summary>
public static class ScriptsApi
{
    public sealed record CreateScript(
        string Path, string? Summary, string? Description, string Content, string Language, JsonObject? Schema,
        string? ParentHash, string? Lock, string? Tag, int? Timeout, string? Kind, short? Priority)
    {
        [JsonRequired] public string Path { get; init; } = Path;
        [JsonRequired] public string Content { get; init; } = Content;
        [JsonRequired] public string Language { get; init; } = Language;
    }

    public sealed record ScriptView(
        string WorkspaceId, string Hash, string Path, string[]? ParentHashes, string Summary, string Description, string? Content,
        string CreatedBy, DateTime CreatedAt, bool Archived, JsonNode? Schema, bool Deleted, bool IsTemplate,
        Dictionary<string, bool> ExtraPerms, string? Lock, string Language, string Kind, string? Tag, int? Timeout, short? Priority);

    public static RouteGroupBuilder MapScriptsApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/scripts");
        g.MapPost("/create", Create);
        g.MapGet("/get/p/{*path}", GetByPath);
        g.MapGet("/get/h/{hash}", GetByHash);
        g.MapGet("/list", List);
        g.MapGet("/exists/p/{*path}", async (Authed who, WindmillDb db, string path, CancellationToken ct) =>
            Results.Json(await db.Scripts.AnyAsync(s => s.WorkspaceId == who.Workspace && s.Path == path && !s.Archived && !s.Deleted, ct)));
        g.MapPost("/archive/p/{*path}", Archive);
        g.MapDelete("/delete/p/{*path}", Delete);
        return w;
    }

    public static ScriptView View(Script s, bool withContent = true) => new(
        s.WorkspaceId, ScriptHash.ToHex(s.Hash), s.Path, s.ParentHashes?.Select(ScriptHash.ToHex).ToArray(), s.Summary, s.Description,
        withContent ? s.Content : null, s.CreatedBy, s.CreatedAt, s.Archived, s.Schema is null ? null : JsonNode.Parse(s.Schema), s.Deleted,
        false, ExtraPerms.FromJson(s.ExtraPerms).Entries.ToDictionary(), s.Lock, s.Language, s.Kind, s.Tag, s.Timeout, s.Priority);

    /// <summary>The live version at a path, checked for read access.</summary>
    public static async Task<Script> LiveAsync(Authed who, WindmillDb db, string path, CancellationToken ct)
    {
        var s = Access.RequireFound(
            await db.Scripts.AsNoTracking().FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path && !x.Archived && !x.Deleted, ct),
            "Script", path);
        Access.RequireRead(who, "Script", path, s.ExtraPerms);
        return s;
    }

    public static async Task<Script> ByHashAsync(Authed who, WindmillDb db, string hex, CancellationToken ct)
    {
        if (!ScriptHash.TryParse(hex, out var hash)) throw WindmillError.BadRequest($"invalid script hash '{hex}': 16 hex characters");
        var s = Access.RequireFound(
            await db.Scripts.AsNoTracking().FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Hash == hash && !x.Deleted, ct),
            "Script", hex);
        Access.RequireRead(who, "Script", s.Path, s.ExtraPerms);
        return s;
    }

    private static async Task<IResult> Create(Authed who, WindmillDb db, AuditLog audit, HttpResponse response, CreateScript body, CancellationToken ct)
    {
        who.RequireScope($"scripts:write:{body.Path}");
        who.RequireWriter("deploy scripts");
        ObjectPath.Parse(body.Path);
        var language = ScriptLanguage.Check(body.Language);
        if (body.Timeout is <= 0) throw WindmillError.BadRequest("timeout must be a positive number of seconds");
        if (body.Tag is not null) Names.CheckSimpleName(body.Tag, "tag");
        if (body.Priority is < 0 or > 100) throw WindmillError.BadRequest("priority must be from 0 to 100");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var live = await db.Scripts.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == body.Path && !x.Archived && !x.Deleted, ct);
        long? parent = null;
        if (live is not null)
        {
            Access.RequireWrite(who, "Script", body.Path, live.ExtraPerms);
            if (body.ParentHash is null)
                throw WindmillError.BadRequest($"Path conflict for {body.Path} with non-archived hash {ScriptHash.ToHex(live.Hash)}: pass it as parent_hash");
            if (!ScriptHash.TryParse(body.ParentHash, out var p) || p != live.Hash)
                throw WindmillError.BadRequest($"parent_hash {body.ParentHash} is not the latest version of {body.Path} ({ScriptHash.ToHex(live.Hash)})");
            parent = p;
            live.Archived = true;
        }
        else
        {
            Access.RequireCreate(who, "Script", body.Path);
        }

        var schema = body.Schema ?? SignatureReader.Read(language, body.Content).ToSchema();
        var script = new Script
        {
            WorkspaceId = who.Workspace, Path = body.Path, Content = body.Content, Language = language, CreatedBy = who.Username,
            CreatedAt = DateTime.UtcNow, Summary = body.Summary ?? "", Description = body.Description ?? "", Schema = schema.ToJsonString(),
            Lock = body.Lock, Tag = body.Tag, Timeout = body.Timeout, Kind = body.Kind ?? "script", Priority = body.Priority,
            ParentHashes = parent is null ? null : [parent.Value, .. live!.ParentHashes ?? []],
            ExtraPerms = live?.ExtraPerms ?? "{}",
            Hash = ScriptHash.Compute(who.Workspace, body.Path, body.Content, language, parent, Guid.NewGuid()),
        };
        db.Scripts.Add(script);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            throw WindmillError.BadRequest($"a new version of {body.Path} was deployed at the same time; fetch it and retry with its hash as parent_hash");
        }
        var warning = await StaticAssets.StoreScriptAsync(db, who.Workspace, body.Path, language, body.Content, ct);
        await tx.CommitAsync(ct);
        StaticAssets.Warn(response, warning);
        audit.Record(who.Workspace, who.Username, "scripts.create", "Create", body.Path, new { hash = ScriptHash.ToHex(script.Hash) });
        return Replies.Created(ScriptHash.ToHex(script.Hash));
    }

    private static async Task<IResult> GetByPath(Authed who, WindmillDb db, string path, CancellationToken ct) =>
        Results.Json(View(await LiveAsync(who, db, path, ct)));

    private static async Task<IResult> GetByHash(Authed who, WindmillDb db, string hash, CancellationToken ct) =>
        Results.Json(View(await ByHashAsync(who, db, hash, ct)));

    private static async Task<IResult> List(Authed who, WindmillDb db, string? path_start, string? language, bool? show_archived,
        int? page, int? per_page, CancellationToken ct)
    {
        var paging = Paging.From(page, per_page, Paging.MaxPerPage);
        var q = db.Scripts.AsNoTracking().Where(s => s.WorkspaceId == who.Workspace && !s.Deleted);
        if (show_archived != true) q = q.Where(s => !s.Archived);
        if (path_start is not null) q = q.Where(s => s.Path.StartsWith(path_start));
        if (language is not null) q = q.Where(s => s.Language == language);
        var rows = await q.OrderBy(s => s.Path).ThenByDescending(s => s.CreatedAt).ToListAsync(ct);
        var visible = rows.Where(s => PathPermissions.CanRead(who.Identity, s.Path, ExtraPerms.FromJson(s.ExtraPerms)));
        return Results.Json(paging.Apply(visible).Select(s => View(s, withContent: false)));
    }

    private static async Task<IResult> Archive(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireWriter("archive scripts");
        var s = await db.Scripts.FirstOrDefaultAsync(x => x.WorkspaceId == who.Workspace && x.Path == path && !x.Archived && !x.Deleted, ct);
        s = Access.RequireFound(s, "Script", path);
        Access.RequireWrite(who, "Script", path, s.ExtraPerms);
        s.Archived = true;
        await db.SaveChangesAsync(ct);
        audit.Record(who.Workspace, who.Username, "scripts.archive", "Update", path);
        return Replies.Text($"Script {path} archived");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireWriter("delete scripts");
        var versions = await db.Scripts.Where(x => x.WorkspaceId == who.Workspace && x.Path == path && !x.Deleted).ToListAsync(ct);
        if (versions.Count == 0) throw WindmillError.NotFound($"Script {path} not found");
        Access.RequireWrite(who, "Script", path, versions.OrderByDescending(v => v.CreatedAt).First().ExtraPerms);
        // Versions stay (jobs refer to them by hash); they are only marked deleted.
        foreach (var v in versions) { v.Deleted = true; v.Archived = true; }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await StaticAssets.ForgetAsync(db, who.Workspace, "script", path, ct);
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "scripts.delete", "Delete", path);
        return Replies.Text($"Script {path} deleted");
    }
}
