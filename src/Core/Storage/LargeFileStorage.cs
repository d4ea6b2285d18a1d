using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Storage;

/// <summary>One storage a workspace links (spec 10.2): an <c>s3</c> resource, and whether every workspace user may use it.</summary>
public sealed record StorageLink(string ResourcePath, bool PublicResource);

/// <summary>
/// A workspace's object storage setting (spec 10.2): the primary storage and named secondary storages.
/// The primary is named <c>_default_</c> in URIs (<c>s3://_default_/key</c> ≡ <c>s3:///key</c>), so that
/// name is not available to a secondary storage.
/// </summary>
public sealed record LargeFileStorage(StorageLink? Primary, IReadOnlyDictionary<string, StorageLink> Secondary)
{
    public const string DefaultName = "_default_";

    /// <summary>Reads and checks the <c>large_file_storage</c> JSON; a 400 names the field at fault.</summary>
    public static LargeFileStorage Parse(JsonNode? node)
    {
        if (node is null) return new LargeFileStorage(null, new Dictionary<string, StorageLink>());
        if (node is not JsonObject o) throw WindmillError.BadRequest("large_file_storage must be an object");
        var primary = o["s3_resource_path"] is null ? null : Link(o, "large_file_storage");
        var secondary = new Dictionary<string, StorageLink>();
        if (o["secondary_storage"] is JsonObject others)
            foreach (var (name, value) in others)
            {
                if (name is "" or DefaultName)
                    throw WindmillError.BadRequest($"large_file_storage.secondary_storage: '{name}' is not a valid storage name ({DefaultName} is the primary)");
                if (value is not JsonObject link) throw WindmillError.BadRequest($"large_file_storage.secondary_storage.{name} must be an object");
                secondary[name] = Link(link, $"large_file_storage.secondary_storage.{name}");
            }
        else if (o["secondary_storage"] is not null)
            throw WindmillError.BadRequest("large_file_storage.secondary_storage must be an object of named storages");
        return new LargeFileStorage(primary, secondary);
    }

    private static StorageLink Link(JsonObject o, string at)
    {
        var type = o["type"]?.GetValueKind() == JsonValueKind.String ? o["type"]!.GetValue<string>() : "S3Storage";
        if (type != "S3Storage") throw WindmillError.BadRequest($"{at}.type: only S3Storage is supported, not '{type}'");
        if (o["s3_resource_path"] is not JsonValue p || p.GetValueKind() != JsonValueKind.String)
            throw WindmillError.BadRequest($"{at}.s3_resource_path is required: the path of an s3 resource");
        var path = p.GetValue<string>();
        if (path.StartsWith("$res:")) path = path[5..];
        if (!Paths.ObjectPath.IsValid(path)) throw WindmillError.BadRequest($"{at}.s3_resource_path: '{path}' is not a valid resource path");
        return new StorageLink(path, o["public_resource"]?.GetValueKind() == JsonValueKind.True);
    }

    /// <summary>The storage a request names: null, "" or <c>_default_</c> is the primary. A 404 names an unknown one.</summary>
    public StorageLink Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name) || name == DefaultName)
            return Primary ?? throw WindmillError.NotFound("No files storage resource defined at the workspace level");
        return Secondary.TryGetValue(name, out var link)
            ? link
            : throw WindmillError.NotFound($"storage '{name}' is not a secondary storage of this workspace");
    }
}
