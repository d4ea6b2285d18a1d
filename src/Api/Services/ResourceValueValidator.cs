using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Checks a resource value against its type's JSON Schema (the workspace's type, else the global one in
/// <c>admins</c>). Types that do not exist or have no schema (such as <c>state</c>) accept any value.
/// Parsed schemas are cached by type and edit time.
/// </summary>
public sealed class ResourceValueValidator
{
    public const int MaxValueBytes = 1 << 20;

    private readonly ConcurrentDictionary<(string, string, DateTime), ResourceSchema?> _schemas = new();

    public async Task ValidateAsync(WindmillDb db, string workspaceId, string resourcePath, string resourceType, JsonNode? value, CancellationToken ct)
    {
        var size = value is null ? 4 : System.Text.Encoding.UTF8.GetByteCount(value.ToJsonString());
        if (size > MaxValueBytes)
            throw WindmillError.BadRequest($"value of resource {resourcePath} is {size} bytes; the limit is {MaxValueBytes} bytes");

        var type = await db.ResourceTypes.AsNoTracking()
            .Where(t => t.Name == resourceType && (t.WorkspaceId == workspaceId || t.WorkspaceId == "admins"))
            .OrderBy(t => t.WorkspaceId == workspaceId ? 0 : 1)
            .Select(t => new { t.WorkspaceId, t.Schema, t.EditedAt })
            .FirstOrDefaultAsync(ct);
        if (type is null) return;
        var schema = _schemas.GetOrAdd((type.WorkspaceId, resourceType, type.EditedAt), _ => ResourceSchema.TryParse(type.Schema));
        if (schema is null) return;
        var violations = schema.Validate(value);
        if (violations.Count > 0)
            throw WindmillError.BadRequest(
                $"value of resource {resourcePath} does not match the schema of resource type {resourceType}: " +
                string.Join("; ", violations));
    }
}
