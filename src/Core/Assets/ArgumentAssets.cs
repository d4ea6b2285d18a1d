using System.Text.Json;
using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.Core.Assets;

/// <summary>
/// The assets a job is given as arguments (spec 9.5), read when it starts: a top-level string of 6 to 255
/// characters (quotes counted) starting with <c>$res:</c> or <c>res://</c> is a resource; beyond Windmill, an
/// S3Object (<c>{"s3": key, "storage"?}</c> or <c>s3://storage/key</c>) is an object, so a flow run's input
/// files are listed for that run. How the job will use them is not known.
/// </summary>
public static class ArgumentAssets
{
    public static List<DetectedAsset> Of(JsonObject? args)
    {
        var assets = new AssetSet();
        foreach (var (_, value) in args ?? [])
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                var text = v.GetValue<string>();
                var rawLength = v.ToJsonString().Length;
                if (rawLength is >= 6 and <= 255 && (text.StartsWith("$res:", StringComparison.Ordinal) || text.StartsWith("res://", StringComparison.Ordinal))
                    && AssetUri.TryParse(text, out var kind, out var path))
                    assets.Add(kind, path, null);
                else if (S3Uri.TryParse(text, out var uri)) assets.Add(AssetKind.S3Object, AssetUri.S3Path(uri.Storage, uri.Key), null);
            }
            else if (value is JsonObject o && o["s3"] is JsonValue k && k.GetValueKind() == JsonValueKind.String)
            {
                try
                {
                    var uri = S3Uri.FromArgument(o, "");
                    assets.Add(AssetKind.S3Object, AssetUri.S3Path(uri.Storage, uri.Key), null);
                }
                catch (Errors.WindmillError) { } // not an S3Object after all
            }
        }
        return assets.ToList();
    }
}
