namespace Windmill.Jobs.Core.Resources;

/// <summary>What a string inside a resource value or job argument refers to (spec 3.5).</summary>
public enum ReferenceKind { None, Variable, JsonVariable, Resource, Reserved }

/// <summary>
/// A prefix match on the whole string: <c>$var:p</c> (also <c>$VAR:p</c>, as the docs write it),
/// <c>$jsonvar:p</c>, <c>$res:p</c>, or a reserved <c>$WM_...</c> name. Anything else is a plain string.
/// </summary>
public readonly record struct ValueReference(ReferenceKind Kind, string Target)
{
    public static ValueReference Parse(string s)
    {
        if (s.Length < 4 || s[0] != '$') return default;
        if (s.StartsWith("$var:", StringComparison.Ordinal) || s.StartsWith("$VAR:", StringComparison.Ordinal))
            return new(ReferenceKind.Variable, s[5..]);
        if (s.StartsWith("$jsonvar:", StringComparison.Ordinal)) return new(ReferenceKind.JsonVariable, s[9..]);
        if (s.StartsWith("$res:", StringComparison.Ordinal)) return new(ReferenceKind.Resource, s[5..]);
        if (s.StartsWith("$WM_", StringComparison.Ordinal)) return new(ReferenceKind.Reserved, s[1..]);
        return default;
    }

    /// <summary>True for the strings that schema validation must not judge: they are resolved later.</summary>
    public static bool IsUnresolvedReference(string s) =>
        Parse(s).Kind is ReferenceKind.Variable or ReferenceKind.JsonVariable or ReferenceKind.Resource;
}
