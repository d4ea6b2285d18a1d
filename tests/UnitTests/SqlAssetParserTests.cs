using Windmill.Jobs.Core.Assets;
using static Windmill.Jobs.UnitTests.AssetTestFormat;

namespace Windmill.Jobs.UnitTests;

/// <summary>Static asset detection in DuckDB and PostgreSQL SQL (spec 9.4): every example of the spec, and what a tokenizer must get right.</summary>
public class SqlAssetParserTests
{
    [Theory]
    // The spec's examples.
    [InlineData("SELECT * FROM read_parquet('s3:///a.parquet')", "s3object:/a.parquet:r")]
    [InlineData("SELECT * FROM 's3://snd/b.parquet'", "s3object:snd/b.parquet:r")]
    [InlineData("COPY (SELECT * FROM 's3://snd/b.parquet') TO 's3:///c.parquet'", "s3object:/c.parquet:w | s3object:snd/b.parquet:r")]
    [InlineData("COPY t FROM 's3:///in.csv'", "s3object:/in.csv:w")] // Windmill's quirk: the direction is not checked
    [InlineData("SET s3_endpoint = 's3://not/a/read'", "s3object:not/a/read:?")]
    [InlineData("CREATE TABLE t AS SELECT * FROM read_csv('s3:///raw.csv');\nCOPY t TO 's3:///raw.csv'", "s3object:/raw.csv:rw")]
    [InlineData("ATTACH 'ducklake://lake' AS dl;\nSELECT * FROM dl.events", "ducklake:lake/events:r")]
    [InlineData("ATTACH 'ducklake' AS dl;\nINSERT INTO dl.t SELECT * FROM dl.src", "ducklake:main/src:r | ducklake:main/t:w")]
    [InlineData("ATTACH 'datatable://dt' AS d;\nUPDATE d.users SET name = 'x' FROM d.src WHERE d.users.id = d.src.id", "datatable:dt/src:r | datatable:dt/users:w")]
    [InlineData("ATTACH 'datatable' AS d;\nDELETE FROM d.users WHERE id = 1 RETURNING id", "datatable:main/users:rw")]
    [InlineData("ATTACH '$res:u/alice/pg' AS pg (TYPE postgres);\nCREATE VIEW pg.v AS SELECT 1", "resource:u/alice/pg/v:w")]
    [InlineData("ATTACH 'res://f/data/pg' AS pg (TYPE postgres);\nUSE pg;\nSELECT * FROM orders JOIN customers ON orders.c = customers.id",
        "resource:f/data/pg/customers:r | resource:f/data/pg/orders:r")]
    [InlineData("ATTACH 'ducklake://unused' AS u;\nSELECT 1", "ducklake:unused:?")]
    [InlineData("ATTACH 'ducklake://lake' AS dl;\nSELECT dl.col FROM 's3:///x.parquet'", "s3object:/x.parquet:r | ducklake:lake:?")] // sorted by path, ordinally
    [InlineData("ATTACH 'ducklake://lake' AS dl;\nDETACH dl;\nSELECT * FROM dl.t", "ducklake:lake:?")]
    [InlineData("INSERT INTO t VALUES ('s3://b/k.csv')", "s3object:b/k.csv:r")]
    // Comments, quoting, nesting, CTEs, several statements.
    [InlineData("-- SELECT * FROM 's3:///commented.parquet'\n/* COPY x TO 's3:///also' */ SELECT 1", "")]
    [InlineData("SELECT 'it''s s3://not/at/start' AS s, $$ s3://dollar $$ AS d", "")]
    [InlineData("SELECT * FROM \"s3://quoted/ident.parquet\"", "s3object:quoted/ident.parquet:r")]
    [InlineData("SELECT * FROM (SELECT * FROM (SELECT * FROM read_json('s3:///deep.json')))", "s3object:/deep.json:r")]
    [InlineData("ATTACH 'ducklake://lake' AS dl;\nUSE dl;\nWITH recent AS (SELECT * FROM events) SELECT * FROM recent",
        "ducklake:lake/events:r")]
    [InlineData("ATTACH 'ducklake://lake' AS \"My Lake\";\nSELECT * FROM \"My Lake\".\"Big Table\" x, \"My Lake\".other",
        "ducklake:lake/Big Table:r | ducklake:lake/other:r")]
    [InlineData("FROM 's3://s/first.parquet' SELECT count(*)", "s3object:s/first.parquet:r")]
    [InlineData("SELECT 1; COPY (SELECT 2) TO 's3:///one.csv'; SELECT * FROM 's3:///two.csv'", "s3object:/one.csv:w | s3object:/two.csv:r")]
    [InlineData("SELECT * FROM READ_PARQUET(['s3:///a/1.parquet', 's3:///a/2.parquet'])", "s3object:/a/1.parquet:r | s3object:/a/2.parquet:r")]
    [InlineData("SELECT * FROM read_parquet('s3:///x.parquet', hive_partitioning = true) WHERE k IN (SELECT k FROM 's3:///y.csv')",
        "s3object:/x.parquet:r | s3object:/y.csv:r")]
    [InlineData("SELECT 1 FROM", "")] // cut short: no crash
    [InlineData("SELECT 's3://unterminated", "s3object:unterminated:r")]
    public void Detects_sql_assets(string sql, string expected) => Assert.Equal(expected, Show(SqlAssetParser.Parse(sql)));

    [Fact]
    public void A_datatable_handle_names_unqualified_tables()
    {
        var assets = SqlAssetParser.Parse("SELECT * FROM friends f JOIN likes ON f.id = likes.friend; INSERT INTO log SELECT 1",
            (AssetKind.Datatable, "dt"));
        Assert.Equal("datatable:dt/friends:r | datatable:dt/likes:r | datatable:dt/log:w", Show(assets));
    }

    [Theory]
    [InlineData(null, AssetAccess.R, null)]
    [InlineData(AssetAccess.R, AssetAccess.W, AssetAccess.RW)]
    [InlineData(AssetAccess.RW, AssetAccess.R, AssetAccess.RW)]
    [InlineData(AssetAccess.R, AssetAccess.R, AssetAccess.R)]
    [InlineData(AssetAccess.W, AssetAccess.W, AssetAccess.W)]
    [InlineData(AssetAccess.W, null, null)]
    public void Accesses_merge_as_spec_9_3_says(AssetAccess? a, AssetAccess? b, AssetAccess? merged) =>
        Assert.Equal(merged, AssetAccesses.Merge(a, b));

    [Theory]
    [InlineData("s3://warehouse/raw/a.parquet", "s3object", "warehouse/raw/a.parquet")]
    [InlineData("s3:///a.csv", "s3object", "/a.csv")]
    [InlineData("res://u/alice/pg", "resource", "u/alice/pg")]
    [InlineData("$res:f/data/pg", "resource", "f/data/pg")]
    [InlineData("ducklake://main", "ducklake", "main")]
    [InlineData("datatable://dt", "datatable", "dt")]
    [InlineData("volume://v/data", "volume", "v/data")]
    public void Uris_parse_to_kind_and_path(string uri, string kind, string path)
    {
        Assert.True(AssetUri.TryParse(uri, out var k, out var p));
        Assert.Equal((kind, path), (k.Name(), p));
    }

    [Fact]
    public void Bare_database_words_need_the_default_syntax()
    {
        Assert.False(AssetUri.TryParse("ducklake", out _, out _));
        Assert.True(AssetUri.TryParse("datatable", out var kind, out var path, defaultSyntax: true));
        Assert.Equal((AssetKind.Datatable, "main"), (kind, path));
        Assert.False(AssetUri.TryParse("s3://", out _, out _));
    }
}
