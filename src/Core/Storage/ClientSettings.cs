using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Storage;

/// <summary>
/// What the <c>*_connection_settings</c> helpers give clients (spec 10.4): DuckDB statements that point
/// httpfs at the bucket, and the s3fs / object_store options polars takes. They carry the credentials,
/// so they are only given to callers allowed to see the storage resource.
/// </summary>
public static class ClientSettings
{
    public static string DuckDb(S3Settings s)
    {
        var lines = new List<string> { "SET home_directory='./';", "INSTALL 'httpfs';" };
        if (s.PathStyle) lines.Add("SET s3_url_style='path';");
        lines.Add($"SET s3_region='{Quote(s.Region)}';");
        lines.Add($"SET s3_endpoint='{Quote(s.EndPoint)}';");
        if (!s.UseSsl) lines.Add("SET s3_use_ssl=0;");
        if (s.AccessKey is { Length: > 0 } key)
        {
            lines.Add($"SET s3_access_key_id='{Quote(key)}';");
            lines.Add($"SET s3_secret_access_key='{Quote(s.SecretKey ?? "")}';");
        }
        return string.Join('\n', lines) + '\n';
    }

    public static JsonObject Polars(S3Settings s) => new()
    {
        ["s3fs_args"] = new JsonObject
        {
            ["endpoint_url"] = s.ServiceUrl, ["key"] = s.AccessKey, ["secret"] = s.SecretKey, ["use_ssl"] = s.UseSsl, ["cache_regions"] = false,
            ["client_kwargs"] = new JsonObject { ["region_name"] = s.Region },
        },
        ["storage_options"] = new JsonObject
        {
            ["aws_endpoint_url"] = s.ServiceUrl, ["aws_access_key_id"] = s.AccessKey, ["aws_secret_access_key"] = s.SecretKey,
            ["aws_region"] = s.Region, ["aws_allow_http"] = (!s.UseSsl).ToString().ToLowerInvariant(),
        },
    };

    private static string Quote(string value) => value.Replace("'", "''");
}
