namespace Windmill.Jobs.Api.Services;

/// <summary>
/// The errors callers see for path-owned objects (spec 2.3): missing → 404; exists but hidden → 401;
/// visible but not writable → 403. Messages list who has access, never the object's value.
/// </summary>
public static class Access
{
    public static T RequireFound<T>(T? row, string kind, string path) where T : class =>
        row ?? throw WindmillError.NotFound($"{kind} {path} not found");

    public static void RequireRead(Authed who, string kind, string path, string extraPermsJson)
    {
        var perms = ExtraPerms.FromJson(extraPermsJson);
        if (!PathPermissions.CanRead(who.Identity, path, perms))
            throw WindmillError.NotAuthorized($"{kind} exists but you don't have access to it: {path} (extra_perms: {perms.ToJson()}, " +
                $"your folders: [{string.Join(", ", who.Identity.FoldersRead.Order())}])");
    }

    public static void RequireWrite(Authed who, string kind, string path, string extraPermsJson)
    {
        RequireRead(who, kind, path, extraPermsJson);
        if (!PathPermissions.CanWrite(who.Identity, path, ExtraPerms.FromJson(extraPermsJson)))
            throw WindmillError.PermissionDenied($"{who.Username} may read but not write {kind.ToLowerInvariant()} {path}");
    }

    /// <summary>Creating at a path needs write on the path itself (own, folder writer, group member, or admin).</summary>
    public static void RequireCreate(Authed who, string kind, string path)
    {
        ObjectPath.Parse(path);
        if (!PathPermissions.CanWrite(who.Identity, path, null))
            throw WindmillError.PermissionDenied($"{who.Username} may not create {kind.ToLowerInvariant()} {path}: " +
                "a path must be your own (u/<you>/...), in a folder you can write, or in a group of yours");
    }

    public static void RequireOwner(Authed who, string what, string path)
    {
        if (!PathPermissions.IsOwner(who.Identity, path))
            throw WindmillError.PermissionDenied($"only the owner of {path} (or an admin) may {what}");
    }
}
