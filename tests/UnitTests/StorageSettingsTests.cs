using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.UnitTests;

/// <summary>Workspace storage settings and the client settings derived from an s3 resource (spec 10.1, 10.2, 10.4).</summary>
public class StorageSettingsTests
{
    private static readonly S3Settings Local = S3Settings.From(JsonNode.Parse("""
        {"bucket": "b", "region": "eu-west-1", "endPoint": "127.0.0.1:9000", "useSSL": false, "accessKey": "AK", "secretKey": "it's", "pathStyle": true}
        """), "u/a/s3");

    [Fact]
    public void Storage_names_resolve_to_the_primary_or_a_secondary()
    {
        var storage = LargeFileStorage.Parse(JsonNode.Parse("""
            {"type": "S3Storage", "s3_resource_path": "$res:f/s/main", "public_resource": true,
             "secondary_storage": {"archive": {"type": "S3Storage", "s3_resource_path": "f/s/archive"}}}
            """));
        Assert.Equal(new StorageLink("f/s/main", true), storage.Resolve(null));
        Assert.Equal(new StorageLink("f/s/main", true), storage.Resolve("_default_"));
        Assert.Equal(new StorageLink("f/s/archive", false), storage.Resolve("archive"));
        Assert.Equal(404, Assert.Throws<WindmillError>(() => storage.Resolve("nowhere")).StatusCode);
    }

    [Theory]
    [InlineData("""{"s3_resource_path": "f/s/main", "secondary_storage": {"_default_": {"s3_resource_path": "f/s/x"}}}""", "'_default_' is not a valid storage name")]
    [InlineData("""{"type": "AzureBlobStorage", "s3_resource_path": "f/s/main"}""", "only S3Storage is supported")]
    [InlineData("""{"s3_resource_path": "not a path"}""", "is not a valid resource path")]
    [InlineData("""{"secondary_storage": {"a": {"public_resource": true}}}""", "secondary_storage.a.s3_resource_path is required")]
    public void Bad_settings_name_the_field(string json, string message) =>
        Assert.Contains(message, Assert.Throws<WindmillError>(() => LargeFileStorage.Parse(JsonNode.Parse(json))).Message);

    [Fact]
    public void A_workspace_without_storage_says_so() =>
        Assert.Equal("No files storage resource defined at the workspace level",
            Assert.Throws<WindmillError>(() => LargeFileStorage.Parse(null).Resolve(null)).Message);

    [Fact]
    public void DuckDb_statements_point_httpfs_at_the_bucket_with_quoted_values()
    {
        var sql = ClientSettings.DuckDb(Local);
        Assert.Equal("""
            SET home_directory='./';
            INSTALL 'httpfs';
            SET s3_url_style='path';
            SET s3_region='eu-west-1';
            SET s3_endpoint='127.0.0.1:9000';
            SET s3_use_ssl=0;
            SET s3_access_key_id='AK';
            SET s3_secret_access_key='it''s';

            """.Replace("\r", ""), sql);
    }

    [Fact]
    public void Polars_options_use_the_service_url()
    {
        var polars = ClientSettings.Polars(Local);
        Assert.Equal("http://127.0.0.1:9000", polars["s3fs_args"]!["endpoint_url"]!.GetValue<string>());
        Assert.Equal("true", polars["storage_options"]!["aws_allow_http"]!.GetValue<string>());
        Assert.Equal("eu-west-1", polars["s3fs_args"]!["client_kwargs"]!["region_name"]!.GetValue<string>());
    }

    [Fact]
    public void The_settings_never_print_the_secret() => Assert.DoesNotContain("it's", Local.ToString());
}
