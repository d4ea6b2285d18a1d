using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Paths;

namespace Windmill.Jobs.Core.Resources;

/// <summary>
/// <c>get_value_interpolated</c> (spec 3.5): walks a JSON value and replaces reference strings.
/// Objects recurse at depth+1; arrays only while depth ≤ 2 and length ≤ 1000 (newest Windmill);
/// a <c>$res:</c> is replaced by that resource's value, itself interpolated at depth+1.
/// A <c>$res:</c> cycle is reported with its chain instead of running into the depth limit.
/// Each nesting level's references are prefetched in one batch.
/// </summary>
public static class ResourceInterpolator
{
    public const int MaxDepth = 50;
    public const int MaxArrayDepth = 2;
    public const int MaxArrayLength = 1000;

    /// <param name="resourcePath">The resource whose value this is, if any: the start of the <c>$res:</c> chain.</param>
    public static ValueTask<JsonNode?> InterpolateAsync(
        JsonNode? value, IReferenceSource source, string? resourcePath = null, CancellationToken ct = default) =>
        InterpolateAsync(value, source, 0, resourcePath is null ? [] : [resourcePath], ct);

    private static async ValueTask<JsonNode?> InterpolateAsync(
        JsonNode? value, IReferenceSource source, int depth, List<string> resourceChain, CancellationToken ct)
    {
        var variables = new HashSet<string>(StringComparer.Ordinal);
        var resources = new HashSet<string>(StringComparer.Ordinal);
        CollectReferences(value, depth, variables, resources);
        if (variables.Count > 0 || resources.Count > 0)
            await source.PrefetchAsync(variables, resources, ct);
        return await TransformAsync(value, source, depth, resourceChain, ct);
    }

    private static void CollectReferences(JsonNode? node, int depth, HashSet<string> variables, HashSet<string> resources)
    {
        if (depth >= MaxDepth) return;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj) CollectReferences(child, depth + 1, variables, resources);
                break;
            case JsonArray arr when WalksArray(arr, depth):
                foreach (var child in arr) CollectReferences(child, depth + 1, variables, resources);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var reference = ValueReference.Parse(v.GetValue<string>());
                if (reference.Kind is ReferenceKind.Variable or ReferenceKind.JsonVariable) variables.Add(reference.Target);
                else if (reference.Kind == ReferenceKind.Resource && ObjectPath.IsValid(reference.Target)) resources.Add(reference.Target);
                break;
        }
    }

    private static bool WalksArray(JsonArray arr, int depth) => depth <= MaxArrayDepth && arr.Count <= MaxArrayLength;

    private static async ValueTask<JsonNode?> TransformAsync(
        JsonNode? node, IReferenceSource source, int depth, List<string> resourceChain, CancellationToken ct)
    {
        if (depth >= MaxDepth)
            throw WindmillError.BadRequest($"maximum interpolation depth ({MaxDepth}) exceeded; the value nests too deeply");
        switch (node)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, child) in obj)
                    result[key] = await TransformAsync(child, source, depth + 1, resourceChain, ct);
                return result;
            }
            case JsonArray arr when WalksArray(arr, depth):
            {
                var result = new JsonArray();
                foreach (var child in arr)
                    result.Add(await TransformAsync(child, source, depth + 1, resourceChain, ct));
                return result;
            }
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return await ResolveStringAsync(v.GetValue<string>(), source, depth, resourceChain, ct);
            default:
                return node?.DeepClone();
        }
    }

    private static async ValueTask<JsonNode?> ResolveStringAsync(
        string s, IReferenceSource source, int depth, List<string> resourceChain, CancellationToken ct)
    {
        var reference = ValueReference.Parse(s);
        switch (reference.Kind)
        {
            case ReferenceKind.Variable:
                return JsonValue.Create(await source.GetVariableAsync(reference.Target, ct));
            case ReferenceKind.JsonVariable:
            {
                var text = await source.GetVariableAsync(reference.Target, ct);
                try { return JsonNode.Parse(text); }
                catch (JsonException) { throw WindmillError.BadRequest($"variable {reference.Target} referenced by $jsonvar: does not hold valid JSON"); }
            }
            case ReferenceKind.Resource:
            {
                var path = reference.Target;
                if (!ObjectPath.IsValid(path)) throw WindmillError.BadRequest($"Invalid resource path: {path}");
                if (resourceChain.Contains(path))
                    throw WindmillError.BadRequest(
                        $"circular $res: reference: {string.Join(" -> ", resourceChain.Append(path))}");
                var value = await source.GetResourceValueAsync(path, ct);
                if (value is null) return null;
                resourceChain.Add(path);
                try { return await InterpolateAsync(value, source, depth + 1, resourceChain, ct); }
                finally { resourceChain.RemoveAt(resourceChain.Count - 1); }
            }
            case ReferenceKind.Reserved:
                var reserved = await source.ReservedVariablesAsync(ct);
                return JsonValue.Create(reserved is not null && reserved.TryGetValue(reference.Target, out var r) ? r : s);
            default:
                return JsonValue.Create(s);
        }
    }
}
