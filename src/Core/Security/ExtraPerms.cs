using System.Text.Json;

namespace Windmill.Jobs.Core.Security;

/// <summary>
/// An object's <c>extra_perms</c>: principal (<c>u/&lt;user&gt;</c> or <c>g/&lt;group&gt;</c>) to
/// write flag (<c>false</c> = read, <c>true</c> = write).
/// </summary>
public sealed class ExtraPerms
{
    private readonly Dictionary<string, bool> _entries;

    public ExtraPerms(IDictionary<string, bool>? entries = null) =>
        _entries = entries is null ? new() : new Dictionary<string, bool>(entries, StringComparer.Ordinal);

    public static readonly ExtraPerms Empty = new();

    public IReadOnlyDictionary<string, bool> Entries => _entries;

    public static ExtraPerms FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? new() : new(JsonSerializer.Deserialize<Dictionary<string, bool>>(json));

    public string ToJson() => JsonSerializer.Serialize(_entries);

    /// <summary>True when any principal of the identity is listed (read); with <paramref name="write"/>, listed as true.</summary>
    public bool Grants(WorkspaceIdentity who, bool write)
    {
        foreach (var principal in who.Principals)
            if (_entries.TryGetValue(principal, out var canWrite) && (canWrite || !write))
                return true;
        return false;
    }

    public ExtraPerms With(string principal, bool write)
    {
        var copy = new ExtraPerms(_entries);
        copy._entries[principal] = write;
        return copy;
    }

    public ExtraPerms Without(string principal)
    {
        var copy = new ExtraPerms(_entries);
        copy._entries.Remove(principal);
        return copy;
    }
}
