using System.Text.Json;
using System.Text.Json.Nodes;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// A variable and a resource at the same path form a linked pair (typically an OAuth resource whose
/// value holds <c>$var:&lt;its own path&gt;</c>). Renaming either renames both, and the resource's
/// <c>$var:old</c> strings follow the variable (spec 2.3). Call inside the caller's transaction.
/// </summary>
public static class LinkedPairs
{
    public static async Task RenameAsync(WindmillDb db, string workspace, string oldPath, string newPath, CancellationToken ct)
    {
        await db.Variables.Where(v => v.WorkspaceId == workspace && v.Path == oldPath)
            .ExecuteUpdateAsync(s => s.SetProperty(v => v.Path, newPath), ct);
        var resource = await db.Resources.AsNoTracking().FirstOrDefaultAsync(r => r.WorkspaceId == workspace && r.Path == oldPath, ct);
        if (resource is null) return;
        var value = Rewrite(JsonNode.Parse(resource.Value), "$var:" + oldPath, "$var:" + newPath)?.ToJsonString() ?? "null";
        await db.Resources.Where(r => r.WorkspaceId == workspace && r.Path == oldPath)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Path, newPath).SetProperty(r => r.Value, value), ct);
    }

    private static JsonNode? Rewrite(JsonNode? node, string from, string to) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Rewrite(kv.Value, from, to)))),
        JsonArray a => new JsonArray(a.Select(x => Rewrite(x, from, to)).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == from => JsonValue.Create(to),
        _ => node?.DeepClone(),
    };
}
