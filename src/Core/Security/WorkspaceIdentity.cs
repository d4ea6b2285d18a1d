namespace Windmill.Jobs.Core.Security;

/// <summary>
/// Who is acting inside one workspace: what Windmill puts in its RLS session (spec 1.3).
/// Groups always include <c>all</c>. Folder sets are computed from folder ACLs when the identity is built.
/// </summary>
public sealed record WorkspaceIdentity(
    string WorkspaceId,
    string Username,
    string Email,
    bool IsAdmin,
    bool IsOperator,
    bool IsSuperAdmin,
    IReadOnlySet<string> Groups,
    IReadOnlySet<string> FoldersRead,
    IReadOnlySet<string> FoldersWrite,
    IReadOnlySet<string> FoldersOwned,
    IReadOnlyList<string>? Scopes = null,
    Guid? JobId = null)
{
    /// <summary>The principals this identity matches in an <c>extra_perms</c> map: <c>u/me</c> and <c>g/&lt;group&gt;</c>.</summary>
    public IEnumerable<string> Principals
    {
        get
        {
            yield return "u/" + Username;
            foreach (var g in Groups) yield return "g/" + g;
        }
    }
}
