using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Storage;

/// <summary>The connection of an <c>s3</c> resource (spec 10.1). <see cref="ToString"/> never shows the secret.</summary>
public sealed record S3Settings(string Bucket, string Region, string EndPoint, bool UseSsl, string? AccessKey, string? SecretKey, bool PathStyle)
{
    /// <summary>Client-side URL: scheme from <c>useSSL</c>, then <c>endPoint</c> (host[:port]).</summary>
    public string ServiceUrl => (UseSsl ? "https://" : "http://") + EndPoint;

    /// <summary>Reads an interpolated <c>s3</c> resource value; a 400 names the missing field.</summary>
    public static S3Settings From(JsonNode? value, string resourcePath)
    {
        if (value is not JsonObject o) throw WindmillError.BadRequest($"resource {resourcePath} is not an s3 resource object");
        string? S(string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        var endPoint = S("endPoint") ?? throw WindmillError.BadRequest($"resource {resourcePath}: endPoint is required");
        if (o["port"] is JsonValue port && port.TryGetValue<int>(out var p) && !endPoint.Contains(':')) endPoint += ":" + p;
        return new S3Settings(
            S("bucket") ?? throw WindmillError.BadRequest($"resource {resourcePath}: bucket is required"),
            S("region") ?? "us-east-1", endPoint, o["useSSL"]?.GetValueKind() == JsonValueKind.True, S("accessKey"), S("secretKey"),
            o["pathStyle"]?.GetValueKind() != JsonValueKind.False);
    }

    public override string ToString() => $"s3 bucket {Bucket} at {ServiceUrl}";
}
