namespace Windmill.Jobs.Api.Apis;

/// <summary>Variables (spec 2): plain or secret strings at paths; secrets encrypted at rest and never listed.</summary>
public static class VariablesApi
{
    public const int MaxValueLength = 15_000;

    public sealed record CreateVariable(
        string Path, string Value, bool IsSecret, string? Description, int? Account, bool? IsOauth, DateTime? ExpiresAt, string[]? Labels)
    {
        [JsonRequired] public string Path { get; init; } = Path;
        [JsonRequired] public string Value { get; init; } = Value;
    }

    public sealed record EditVariable(string? Path, string? Value, bool? IsSecret, string? Description, int? Account, string[]? Labels);

    public sealed record ListableVariable(
        string WorkspaceId, string Path, string? Value, bool IsSecret, string Description, Dictionary<string, bool> ExtraPerms,
        int? Account, bool IsOauth, bool IsExpired, bool IsRefreshed, string? RefreshError, bool IsLinked,
        DateTime? ExpiresAt, string[]? Labels, bool WsSpecific, DateTime EditedAt, string? EditedBy);

    public static RouteGroupBuilder MapVariablesApi(this RouteGroupBuilder w)
    {
        var g = w.MapGroup("/variables");
        g.MapGet("/list", List);
        g.MapGet("/list_contextual", ListContextual);
        g.MapGet("/get/{*path}", Get);
        g.MapGet("/get_value/{*path}", GetValue);
        g.MapGet("/exists/{*path}", Exists);
        g.MapPost("/create", Create);
        g.MapPost("/update/{*path}", Update);
        g.MapDelete("/delete/{*path}", Delete);
        g.MapDelete("/delete_bulk", DeleteBulk);
        g.MapPost("/encrypt", Encrypt);
        return w;
    }

    private static async Task<IResult> List(Authed who, WindmillDb db, string? path_start, string? path, string? description,
        string? value, string? broad_filter, string? label, int? page, int? per_page, CancellationToken ct)
    {
        var paging = Paging.From(page, per_page, Paging.MaxPerPage);
        var q = db.Variables.AsNoTracking().Where(v => v.WorkspaceId == who.Workspace);
        if (path_start is not null) q = q.Where(v => v.Path.StartsWith(path_start));
        if (path is not null) q = q.Where(v => v.Path == path);
        if (description is not null) q = q.Where(v => EF.Functions.ILike(v.Description, "%" + description + "%"));
        if (value is not null) q = q.Where(v => !v.IsSecret && EF.Functions.ILike(v.Value, "%" + value + "%"));
        if (broad_filter is not null) q = q.Where(v => EF.Functions.ILike(v.Path, "%" + broad_filter + "%") || EF.Functions.ILike(v.Description, "%" + broad_filter + "%"));
        if (label is not null) q = q.Where(v => v.Labels != null && v.Labels.Contains(label));
        var rows = await q.OrderBy(v => v.Path).ToListAsync(ct);
        var secretArgs = $"u/{who.Username}/secret_arg/";
        var visible = rows.Where(v => !v.Path.StartsWith(secretArgs) && CanRead(who, v)).ToList();
        var linked = await LinkedPaths(db, who.Workspace, visible.Select(v => v.Path).ToList(), ct);
        return Results.Json(paging.Apply(visible).Select(v => Listable(v, v.IsSecret ? null : v.Value, linked.Contains(v.Path))));
    }

    private static bool CanRead(Authed who, Variable v) =>
        PathPermissions.CanRead(who.Identity, v.Path, ExtraPerms.FromJson(v.ExtraPerms));

    private static async Task<HashSet<string>> LinkedPaths(WindmillDb db, string workspace, List<string> paths, CancellationToken ct) =>
        (await db.Resources.AsNoTracking().Where(r => r.WorkspaceId == workspace && paths.Contains(r.Path)).Select(r => r.Path).ToListAsync(ct)).ToHashSet();

    private static ListableVariable Listable(Variable v, string? shownValue, bool isLinked) => new(
        v.WorkspaceId, v.Path, shownValue, v.IsSecret, v.Description, ExtraPerms.FromJson(v.ExtraPerms).Entries.ToDictionary(),
        v.Account, v.IsOauth, v.ExpiresAt is { } e && e < DateTime.UtcNow, false, null, isLinked, v.ExpiresAt, v.Labels, false, v.EditedAt, v.EditedBy);

    private static IResult ListContextual(Authed who, Extensions.ApiSettings settings) =>
        Results.Json(ContextualVariables.ForExample(who, settings));

    private static async Task<Variable> Load(Authed who, WindmillDb db, string path, bool tracking, CancellationToken ct)
    {
        var q = tracking ? db.Variables : db.Variables.AsNoTracking();
        var row = Access.RequireFound(await q.FirstOrDefaultAsync(v => v.WorkspaceId == who.Workspace && v.Path == path, ct), "Variable", path);
        Access.RequireRead(who, "Variable", path, row.ExtraPerms);
        return row;
    }

    private static async Task<IResult> Get(Authed who, WindmillDb db, SecretReveal reveal, string path,
        bool? decrypt_secret, bool? include_encrypted, CancellationToken ct)
    {
        who.RequireScope($"variables:read:{path}");
        var v = await Load(who, db, path, false, ct);
        string? shown = v.Value;
        if (v.IsSecret)
            shown = decrypt_secret ?? true ? await reveal.PlaintextAsync(who, path, v.Value, true, ct)
                : include_encrypted == true ? v.Value : null;
        var linked = await db.Resources.AsNoTracking().AnyAsync(r => r.WorkspaceId == who.Workspace && r.Path == path, ct);
        return Results.Json(Listable(v, shown, linked));
    }

    private static async Task<IResult> GetValue(Authed who, WindmillDb db, SecretReveal reveal, string path, CancellationToken ct)
    {
        who.RequireScope($"variables:read:{path}");
        var v = await Load(who, db, path, false, ct);
        return Results.Json(await reveal.PlaintextAsync(who, path, v.Value, v.IsSecret, ct));
    }

    private static async Task<IResult> Exists(Authed who, WindmillDb db, string path, CancellationToken ct) =>
        Results.Json(await db.Variables.AnyAsync(v => v.WorkspaceId == who.Workspace && v.Path == path, ct));

    private static async Task<IResult> Create(Authed who, WindmillDb db, WorkspaceCiphers ciphers, AuditLog audit,
        CreateVariable body, bool? already_encrypted, CancellationToken ct)
    {
        who.RequireScope($"variables:write:{body.Path}");
        who.RequireWriter("create variables");
        Access.RequireCreate(who, "Variable", body.Path);
        var stored = body.IsSecret && already_encrypted != true ? (await ciphers.ForAsync(who.Workspace, ct)).Encrypt(body.Value) : body.Value;
        CheckLength(body.Path, stored);
        db.Variables.Add(new Variable
        {
            WorkspaceId = who.Workspace, Path = body.Path, Value = stored, IsSecret = body.IsSecret, Description = body.Description ?? "",
            Account = body.Account, IsOauth = body.IsOauth ?? false, ExpiresAt = body.ExpiresAt, Labels = body.Labels,
            EditedAt = DateTime.UtcNow, EditedBy = who.Username,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e)) { throw WindmillError.BadRequest($"Variable {body.Path} already exists"); }
        audit.Record(who.Workspace, who.Username, "variables.create", "Create", body.Path);
        return Replies.Created($"variable {body.Path} created");
    }

    private static void CheckLength(string path, string stored)
    {
        if (stored.Length > MaxValueLength)
            throw WindmillError.BadRequest($"value of variable {path} is {stored.Length} characters as stored (secrets grow by a third when encrypted); the limit is {MaxValueLength}");
    }

    private static async Task<IResult> Update(Authed who, WindmillDb db, WorkspaceCiphers ciphers, AuditLog audit,
        string path, EditVariable body, bool? already_encrypted, CancellationToken ct)
    {
        who.RequireScope($"variables:write:{path}");
        who.RequireWriter("edit variables");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var v = await Load(who, db, path, true, ct);
        Access.RequireWrite(who, "Variable", path, v.ExtraPerms);
        var cipher = await ciphers.ForAsync(who.Workspace, ct);

        var willBeSecret = body.IsSecret ?? v.IsSecret;
        if (body.Value is not null)
            v.Value = willBeSecret && already_encrypted != true ? cipher.Encrypt(body.Value) : body.Value;
        else if (willBeSecret && !v.IsSecret)
            throw WindmillError.BadRequest($"variable {path}: making a variable secret needs its value in the same request");
        else if (!willBeSecret && v.IsSecret)
            v.Value = cipher.Decrypt(v.Value); // made plain on purpose: store the plaintext, not ciphertext shown as text
        v.IsSecret = willBeSecret;
        CheckLength(path, v.Value);
        if (body.Description is not null) v.Description = body.Description;
        if (body.Account is not null) v.Account = body.Account;
        if (body.Labels is not null) v.Labels = body.Labels;
        v.EditedAt = DateTime.UtcNow;
        v.EditedBy = who.Username;

        var newPath = body.Path ?? path;
        if (newPath != path)
        {
            Access.RequireOwner(who, "rename it", path);
            Access.RequireCreate(who, "Variable", newPath);
            if (await db.Variables.AnyAsync(x => x.WorkspaceId == who.Workspace && x.Path == newPath, ct))
                throw WindmillError.BadRequest($"Variable {newPath} already exists");
            await db.SaveChangesAsync(ct);
            await LinkedPairs.RenameAsync(db, who.Workspace, path, newPath, ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "variables.update", "Update", path, newPath != path ? new { new_path = newPath } : null);
        return Replies.Text($"variable {path} updated (npath: {newPath})");
    }

    private static async Task<IResult> Delete(Authed who, WindmillDb db, AuditLog audit, string path, CancellationToken ct)
    {
        who.RequireScope($"variables:write:{path}");
        who.RequireWriter("delete variables");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var v = await Load(who, db, path, true, ct);
        Access.RequireWrite(who, "Variable", path, v.ExtraPerms);
        db.Variables.Remove(v);
        await db.Resources.Where(r => r.WorkspaceId == who.Workspace && r.Path == path).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        audit.Record(who.Workspace, who.Username, "variables.delete", "Delete", path);
        return Replies.Text($"variable {path} deleted");
    }

    private static async Task<IResult> DeleteBulk(Authed who, WindmillDb db, AuditLog audit, [Microsoft.AspNetCore.Mvc.FromBody] PathList body, CancellationToken ct)
    {
        who.RequireWriter("delete variables");
        var rows = await db.Variables.Where(v => v.WorkspaceId == who.Workspace && body.Paths.Contains(v.Path)).ToListAsync(ct);
        var deletable = rows.Where(v => PathPermissions.CanWrite(who.Identity, v.Path, ExtraPerms.FromJson(v.ExtraPerms))
                                        && TokenScopes.Allows(who.Principal.Scopes, $"variables:write:{v.Path}"))
            .OrderBy(x => Array.IndexOf(body.Paths, x.Path)).ToList(); // answered in the caller's order
        var paths = deletable.Select(v => v.Path).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Variables.RemoveRange(deletable);
        await db.Resources.Where(r => r.WorkspaceId == who.Workspace && paths.Contains(r.Path)).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var p in paths) audit.Record(who.Workspace, who.Username, "variables.delete", "Delete", p);
        return Results.Json(paths);
    }

    private static async Task<IResult> Encrypt(Authed who, WorkspaceCiphers ciphers, HttpRequest request, CancellationToken ct)
    {
        var plaintext = await JsonBodies.ReadStringAsync(request, ct);
        return Replies.Text((await ciphers.ForAsync(who.Workspace, ct)).Encrypt(plaintext));
    }
}
