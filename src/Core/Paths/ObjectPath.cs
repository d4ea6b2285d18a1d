using System.Text.RegularExpressions;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Paths;

/// <summary>The owner kind of a path: its first segment.</summary>
public enum PathOwnerKind { User, Folder, Group }

/// <summary>
/// A stored object's path: <c>u/&lt;user&gt;/...</c>, <c>f/&lt;folder&gt;/...</c> or <c>g/&lt;group&gt;/...</c>
/// with at least two segments after the kind letter, each of <c>[A-Za-z0-9_-]</c> (spec 1.2).
/// </summary>
public readonly partial record struct ObjectPath(PathOwnerKind Kind, string Owner, string Value)
{
    [GeneratedRegex(@"^[ufg](/[\w-]+){2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static bool IsValid(string? path) =>
        path is not null && path.Length <= 255 && Shape().IsMatch(path) && path.All(c => c < 128);

    /// <summary>Parses a path or throws a 400 naming it.</summary>
    public static ObjectPath Parse(string? path, string what = "path")
    {
        if (!TryParse(path, out var parsed))
            throw WindmillError.BadRequest(
                $"invalid {what} '{path}': a path is u/<user>/<name>, f/<folder>/<name> or g/<group>/<name>, " +
                "with segments of letters, digits, '_' and '-' (at most 255 characters)");
        return parsed;
    }

    public static bool TryParse(string? path, out ObjectPath parsed)
    {
        parsed = default;
        if (!IsValid(path)) return false;
        var segments = path!.Split('/');
        var kind = segments[0] switch { "u" => PathOwnerKind.User, "f" => PathOwnerKind.Folder, _ => PathOwnerKind.Group };
        parsed = new ObjectPath(kind, segments[1], path);
        return true;
    }

    public override string ToString() => Value;
}
