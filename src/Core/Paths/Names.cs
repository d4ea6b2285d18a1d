using System.Text.RegularExpressions;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Paths;

/// <summary>Name rules for workspaces, folders, groups, users and resource types.</summary>
public static partial class Names
{
    [GeneratedRegex(@"^\w+(-\w+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkspaceIdShape();

    [GeneratedRegex(@"^[\w-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SimpleNameShape();

    public static void CheckWorkspaceId(string? id)
    {
        if (id is null || id.Length > 50 || !WorkspaceIdShape().IsMatch(id) || !id.All(c => c < 128))
            throw WindmillError.BadRequest($"invalid workspace id '{id}': use letters, digits, '_' and single '-' between them (at most 50 characters)");
    }

    /// <summary>Folder, group, resource type and user names: <c>^[\w-]+$</c>.</summary>
    public static void CheckSimpleName(string? name, string what, int maxLength = 50)
    {
        if (name is null || name.Length > maxLength || !SimpleNameShape().IsMatch(name) || !name.All(c => c < 128))
            throw WindmillError.BadRequest($"invalid {what} '{name}': use letters, digits, '_' and '-' (at most {maxLength} characters)");
    }

    /// <summary>A username derived from an email's local part, as Windmill proposes one.</summary>
    public static string UsernameFromEmail(string email)
    {
        var local = email.Split('@')[0];
        var chars = local.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' ? c : '_').ToArray();
        var name = new string(chars);
        return name.Length == 0 ? "user" : name;
    }
}
