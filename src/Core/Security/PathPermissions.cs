using Windmill.Jobs.Core.Paths;

namespace Windmill.Jobs.Core.Security;

/// <summary>
/// Windmill's row-level security as one predicate (spec 1.3): a row is visible or writable when the
/// path is the caller's own, in a group of theirs, in a folder they may read/write, or when the row's
/// <c>extra_perms</c> name them. Workspace admins pass every check.
/// </summary>
public static class PathPermissions
{
    public static bool CanRead(WorkspaceIdentity who, string path, ExtraPerms? extraPerms) =>
        Allows(who, path, extraPerms, write: false);

    public static bool CanWrite(WorkspaceIdentity who, string path, ExtraPerms? extraPerms) =>
        Allows(who, path, extraPerms, write: true);

    private static bool Allows(WorkspaceIdentity who, string path, ExtraPerms? extraPerms, bool write)
    {
        if (who.IsAdmin) return true;
        if (ObjectPath.TryParse(path, out var p) && PathGrants(who, p, write)) return true;
        return extraPerms is not null && extraPerms.Grants(who, write);
    }

    private static bool PathGrants(WorkspaceIdentity who, ObjectPath path, bool write) => path.Kind switch
    {
        PathOwnerKind.User => path.Owner == who.Username,
        PathOwnerKind.Group => who.Groups.Contains(path.Owner),
        PathOwnerKind.Folder => write ? who.FoldersWrite.Contains(path.Owner) : who.FoldersRead.Contains(path.Owner),
        _ => false,
    };

    /// <summary>
    /// Ownership (<c>require_owner_of_path</c>): needed to rename an object or change its ACL.
    /// Admins own everything; <c>u/me</c> is mine; <c>f/F</c> is owned by F's owners; <c>g/G</c> by G's members.
    /// </summary>
    public static bool IsOwner(WorkspaceIdentity who, string path)
    {
        if (who.IsAdmin) return true;
        if (!ObjectPath.TryParse(path, out var p)) return false;
        return p.Kind switch
        {
            PathOwnerKind.User => p.Owner == who.Username,
            PathOwnerKind.Folder => who.FoldersOwned.Contains(p.Owner),
            PathOwnerKind.Group => who.Groups.Contains(p.Owner),
            _ => false,
        };
    }
}
