using Windmill.Jobs.Core.Assets;
using static Windmill.Jobs.UnitTests.AssetTestFormat;

namespace Windmill.Jobs.UnitTests;

/// <summary>Static asset detection in Python (spec 9.4).</summary>
public class PythonAssetParserTests
{
    [Theory]
    [InlineData("import wmill\nwmill.load_s3_file('s3:///a.csv')", "s3object:/a.csv:r")]
    [InlineData("wmill.load_s3_file_reader(s3object='s3://snd/b.parquet')", "s3object:snd/b.parquet:r")]
    [InlineData("wmill.write_s3_file('s3://out/x.json', data)", "s3object:out/x.json:w")]
    [InlineData("wmill.write_s3_file(None, b'x')", "")]
    [InlineData("wmill.get_resource('u/alice/pg')", "resource:u/alice/pg:?")]
    [InlineData("wmill.get_resource(path='$res:f/data/pg')", "resource:f/data/pg:?")]
    [InlineData("wmill.set_resource('f/data/state', {'a': 1})", "resource:f/data/state:w")]
    [InlineData("wmill.set_resource({'a': 1}, 'f/data/state')", "resource:f/data/state:w")] // the client's own order
    [InlineData("wmill.set_resource(value, path='f/data/kw')", "resource:f/data/kw:w")]
    [InlineData("wmill.get_boto3_connection_settings(s3_resource_path='u/alice/s3')", "resource:u/alice/s3:?")]
    [InlineData("wmill.load_s3_file('s3://a/' 'joined.csv')", "s3object:a/joined.csv:r")]
    [InlineData("load_s3_file('s3:///bare.csv')", "s3object:/bare.csv:?")] // no wmill receiver: only the URI string
    [InlineData("wmill.load_s3_file(f's3:///{name}.csv')", "")]
    [InlineData("wmill.load_s3_file(key)", "")]
    [InlineData("wmill.load_s3_file(key, s3_resource_path='res://u/a/s3')", "resource:u/a/s3:?")] // other literals still count
    [InlineData("x = 's3://storage/raw.parquet'\ny = \"res://u/alice/db\"\nz = 'not a uri'", "s3object:storage/raw.parquet:? | resource:u/alice/db:?")]
    [InlineData("# wmill.load_s3_file('s3:///commented.csv')\nprint('hi')  # 's3:///also'", "")]
    [InlineData("doc = '''\nwmill.write_s3_file('s3:///in_a_string')\n'''", "")]
    [InlineData("wmill.load_s3_file('s3:///a.csv')\nwmill.write_s3_file('s3:///a.csv', b'')", "s3object:/a.csv:rw")]
    [InlineData("wmill.load_s3_file('s3:///a.csv')\nprint('s3:///a.csv')", "s3object:/a.csv:?")] // the merge rule: unknown wins
    [InlineData("db = wmill.datatable('dt')\ndb.query('SELECT * FROM friends')", "datatable:dt/friends:r")]
    [InlineData("db = wmill.ducklake()\ndb.query(\"INSERT INTO events VALUES (1)\")", "ducklake:main/events:w")]
    [InlineData("db = wmill.datatable(name='dt')", "datatable:dt:?")]
    [InlineData("db = wmill.datatable('dt')\ndb = other()\ndb.query('SELECT * FROM t')", "datatable:dt:?")]
    [InlineData("db = wmill.datatable('dt')\ndb.query(sql)", "datatable:dt:?")]
    [InlineData("r = wmill.load_s3_file(rb's3://raw/\\x.bin')", "s3object:raw/\\x.bin:r")]
    [InlineData("wmill.load_s3_file('s3:///unterminated)\nprint(1)", "s3object:/unterminated):?")] // cut short: the string ends with its line
    public void Detects_python_assets(string code, string expected) =>
        Assert.Equal(expected, Show(PythonAssetParser.Parse(code)));

    [Fact]
    public void Nested_quotes_inside_an_f_string_do_not_end_it()
    {
        var code = "name = f\"{d['k']} s3://x\"\nwmill.get_resource('u/a/r')";
        Assert.Equal("resource:u/a/r:?", Show(PythonAssetParser.Parse(code)));
    }
}
