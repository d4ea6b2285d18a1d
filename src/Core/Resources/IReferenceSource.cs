using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Resources;

/// <summary>
/// Where interpolation reads referenced variables and resources, as the caller (so permissions apply).
/// Reads throw <c>WindmillError</c> 404 when missing and 401 when the caller may not see the object.
/// </summary>
public interface IReferenceSource
{
    /// <summary>Loads in one go what the next reads will ask for; a hint, may do nothing.</summary>
    ValueTask PrefetchAsync(IReadOnlyCollection<string> variablePaths, IReadOnlyCollection<string> resourcePaths, CancellationToken ct);

    /// <summary>The variable's plaintext value (decrypted when secret).</summary>
    ValueTask<string> GetVariableAsync(string path, CancellationToken ct);

    /// <summary>The resource's raw stored value (JSON null is returned as null).</summary>
    ValueTask<JsonNode?> GetResourceValueAsync(string path, CancellationToken ct);

    /// <summary>
    /// Reserved <c>WM_*</c> variables of the job being served, or null when there is no job context.
    /// Asked for only when a value holds a <c>$WM_</c> string, so sources may compute them lazily.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, string>?> ReservedVariablesAsync(CancellationToken ct);
}
