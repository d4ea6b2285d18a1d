using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Sql;
using Windmill.Jobs.Core.Storage;

namespace Windmill.Jobs.UnitTests;

/// <summary>Finding and rewriting the S3 objects of DuckDB scripts (spec 10.6).</summary>
public class DuckDbS3ReferencesTests
{
    [Fact]
    public void Reads_and_writes_are_told_apart_and_comments_ignored()
    {
        const string sql = """
            -- read_parquet('s3:///ignored.parquet')
            CREATE TABLE t AS SELECT * FROM read_parquet('s3:///in/events.parquet');
            SELECT * FROM 's3://archive/old/*.csv';
            COPY (SELECT count(*) FROM t) TO 's3:///out/daily.parquet' (FORMAT parquet);
            SELECT 'not s3' AS x;
            """;
        var refs = DuckDbS3References.Find(sql);
        Assert.Equal(3, refs.Count);
        Assert.Equal(new S3Uri(null, "in/events.parquet"), refs[0].Uri);
        Assert.False(refs[0].Written);
        Assert.Equal(new S3Uri("archive", "old/*.csv"), refs[1].Uri);
        Assert.True(refs[1].Uri.IsGlob);
        Assert.Equal(new S3Uri(null, "out/daily.parquet"), refs[2].Uri);
        Assert.True(refs[2].Written);
    }

    [Fact]
    public void S3object_arguments_become_literals_and_the_rewrite_points_at_local_files()
    {
        var sql = DuckDbS3References.SubstituteS3Objects(
            "-- $file (s3object)\nSELECT * FROM read_csv($file) WHERE note <> '$file';",
            new Dictionary<string, S3Uri> { ["file"] = S3Uri.FromArgument(JsonNode.Parse("""{"s3": "raw/a.csv", "storage": "archive"}"""), "file") });
        Assert.Equal("-- $file (s3object)\nSELECT * FROM read_csv('s3://archive/raw/a.csv') WHERE note <> '$file';", sql);
        var refs = DuckDbS3References.Find(sql);
        var local = DuckDbS3References.Rewrite(sql, refs, r => "/job/s3/" + r.Uri.StorageName + "/" + r.Uri.Key);
        Assert.Equal("-- $file (s3object)\nSELECT * FROM read_csv('/job/s3/archive/raw/a.csv') WHERE note <> '$file';", local);
    }

    [Theory]
    [InlineData("s3:///k.parquet", null, "k.parquet")]
    [InlineData("s3://_default_/a/b.csv", null, "a/b.csv")]
    [InlineData("s3://second/x", "second", "x")]
    public void Uris_name_the_primary_or_a_secondary_storage(string text, string? storage, string key)
    {
        Assert.True(S3Uri.TryParse(text, out var uri));
        Assert.Equal(new S3Uri(storage, key), uri);
    }

    [Fact]
    public void A_bad_s3object_argument_names_it() =>
        Assert.Contains("argument file must be an S3Object", Assert.Throws<Windmill.Jobs.Core.Errors.WindmillError>(
            () => S3Uri.FromArgument(JsonNode.Parse("42"), "file")).Message);
}
