using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Storage;

/// <summary>
/// An object of a workspace storage (spec 10.3): <c>s3://storage/key</c>, where an empty storage or
/// <c>_default_</c> is the primary (<see cref="Storage"/> null). Also read from an S3Object argument.
/// </summary>
public sealed record S3Uri(string? Storage, string Key)
{
    public static bool TryParse(string text, out S3Uri uri)
    {
        uri = null!;
        if (!text.StartsWith("s3://", StringComparison.Ordinal)) return false;
        var rest = text["s3://".Length..];
        var slash = rest.IndexOf('/');
        if (slash < 0 || slash == rest.Length - 1) return false;
        var storage = rest[..slash];
        uri = new S3Uri(storage is "" or LargeFileStorage.DefaultName ? null : storage, rest[(slash + 1)..]);
        return true;
    }

    /// <summary>An S3Object argument: <c>{"s3": key, "storage"?: name}</c> or an <c>s3://</c> string; a 400 names the argument.</summary>
    public static S3Uri FromArgument(JsonNode? value, string name)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && TryParse(v.GetValue<string>(), out var uri)) return uri;
        if (value is JsonObject o && o["s3"] is JsonValue k && k.GetValueKind() == JsonValueKind.String && k.GetValue<string>().Length > 0)
            return new S3Uri(o["storage"] is JsonValue s && s.GetValueKind() == JsonValueKind.String && s.GetValue<string>() is { Length: > 0 } st
                ? st : null, k.GetValue<string>());
        throw WindmillError.BadRequest($"argument {name} must be an S3Object ({{\"s3\": \"key\"}}) or an s3://storage/key URI");
    }

    public string StorageName => Storage ?? LargeFileStorage.DefaultName;

    public bool IsGlob => Key.IndexOfAny(['*', '?', '[', '{']) >= 0;

    public override string ToString() => $"s3://{StorageName}/{Key}";
}
