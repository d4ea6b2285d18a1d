namespace Windmill.Jobs.Core.Security;

/// <summary>
/// Token scopes (spec 11): <c>{domain}:{action}[:{path pattern}]</c>, e.g. <c>variables:read:u/alice/*</c>.
/// No scopes means the owner's full rights; <c>write</c> implies <c>read</c>; a trailing <c>*</c> matches a prefix.
/// </summary>
public static class TokenScopes
{
    public static bool Allows(IReadOnlyList<string>? scopes, string required)
    {
        if (scopes is null || scopes.Count == 0) return true;
        var need = required.Split(':', 3);
        foreach (var scope in scopes)
        {
            if (scope == "*") return true;
            var have = scope.Split(':', 3);
            if (have[0] != need[0]) continue;
            if (have.Length == 1) return true;
            var actionOk = have[1] == need[1] || have[1] == "*" || (have[1] == "write" && need.Length > 1 && need[1] == "read");
            if (!actionOk) continue;
            if (have.Length == 2 || need.Length < 3) return true;
            var pattern = have[2];
            if (pattern == "*" || pattern == need[2] || (pattern.EndsWith('*') && need[2].StartsWith(pattern[..^1], StringComparison.Ordinal)))
                return true;
        }
        return false;
    }
}
