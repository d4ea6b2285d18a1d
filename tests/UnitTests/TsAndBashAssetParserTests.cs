using Windmill.Jobs.Core.Assets;
using static Windmill.Jobs.UnitTests.AssetTestFormat;

namespace Windmill.Jobs.UnitTests;

/// <summary>Static asset detection in TypeScript and bash (spec 9.4), and the detector's warning on code it cannot read whole.</summary>
public class TsAndBashAssetParserTests
{
    [Theory]
    [InlineData("import * as wmill from 'windmill-client'\nawait wmill.loadS3File('s3:///test.csv')", "s3object:/test.csv:r")]
    [InlineData("const s = await loadS3FileStream({ s3: key }); await writeS3File('s3://out/a.json', data)", "s3object:out/a.json:w")]
    [InlineData("await wmill.setResource({ a: 1 }, 'f/data/state')", "resource:f/data/state:w")]
    [InlineData("await wmill.getResource(\"$res:u/alice/pg\")", "resource:u/alice/pg:?")]
    [InlineData("const url = await wmill.databaseUrlFromResource('u/a/db'); const d = await duckdbConnectionSettings('u/a/s3')", "resource:u/a/db:? | resource:u/a/s3:?")]
    [InlineData("await wmill.loadS3File(`s3:///${day}.csv`)", "")]
    [InlineData("await wmill.loadS3File(`s3:///static.csv`)", "s3object:/static.csv:r")]
    [InlineData("// await wmill.loadS3File('s3:///commented')\n/* 's3:///block' */ const x = 1", "")]
    [InlineData("const re = /s3:\\/\\/'x/g; const y = 's3://b/k'", "s3object:b/k:?")]
    [InlineData("const a = 4 / 2; const b = 's3://b/k2' / 1", "s3object:b/k2:?")]
    [InlineData("const sql = wmill.datatable('dt')\nconst rows = await sql`SELECT * FROM friends WHERE id = ${id}`.fetch()", "datatable:dt/friends:r")]
    [InlineData("const sql = wmill.datatable()\nawait sql`INSERT INTO events VALUES (${1})`", "datatable:main/events:w")]
    [InlineData("let sql = wmill.ducklake('lake:analytics')", "ducklake:lake:?")]
    [InlineData("const s = `text with ${`nested ${'s3:///not-constant'}`}`", "")]
    public void Detects_typescript_assets(string code, string expected) => Assert.Equal(expected, Show(TsAssetParser.Parse(code)));

    [Theory]
    [InlineData("aws s3 cp s3://bucket/key.csv .", "s3object:bucket/key.csv:?")]
    [InlineData("echo 'res://u/alice/db' \"s3://b/quoted\"", "s3object:b/quoted:? | resource:u/alice/db:?")]
    [InlineData("# s3://commented\necho \"s3://$BUCKET/key\"", "")]
    [InlineData("DB='$res:f/data/pg'\npsql \"$DB\"", "resource:f/data/pg:?")]
    public void Detects_bash_assets(string code, string expected) => Assert.Equal(expected, Show(BashAssetParser.Parse(code)));

    [Fact]
    public void Code_that_cannot_be_read_whole_still_gives_its_assets_with_a_warning()
    {
        var broken = AssetDetector.Detect("python3", "def main(:\n    wmill.load_s3_file('s3:///a.csv')\n    return [");
        Assert.Equal("s3object:/a.csv:r", Show(broken.Assets));
        Assert.Contains("could not be parsed whole", broken.Warning);
        var fine = AssetDetector.Detect("duckdb", "SELECT * FROM read_parquet('s3:///x.parquet')");
        Assert.Null(fine.Warning);
        Assert.Equal("s3object:/x.parquet:r", Show(fine.Assets));
    }
}
