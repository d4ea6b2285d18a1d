using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Assets;
using static Windmill.Jobs.UnitTests.AssetTestFormat;

namespace Windmill.Jobs.UnitTests;

/// <summary>Assets a job is given as arguments (spec 9.5).</summary>
public class ArgumentAssetsTests
{
    [Fact]
    public void Resources_and_s3_objects_among_the_top_level_arguments_are_assets_of_unknown_access()
    {
        var args = JsonNode.Parse("""
            {"db": "$res:u/alice/pg", "other": "res://f/data/s3", "file": {"s3": "raw/a.csv"}, "archived": {"s3": "x.parquet", "storage": "archive"},
             "uri": "s3://archive/b.csv", "short": "$res:", "nested": {"inner": "$res:u/alice/hidden"}, "text": "just text", "n": 3}
            """)!.AsObject();
        Assert.Equal("s3object:/raw/a.csv:? | s3object:archive/b.csv:? | s3object:archive/x.parquet:? | resource:f/data/s3:? | resource:u/alice/pg:?",
            Show(ArgumentAssets.Of(args)));
    }

    [Fact]
    public void A_resource_string_longer_than_255_raw_characters_is_not_an_asset() // 13 + 241 characters + 2 quotes = 256
    {
        var args = new JsonObject { ["r"] = "$res:u/alice/" + new string('x', 241) };
        Assert.Empty(ArgumentAssets.Of(args));
        Assert.Single(ArgumentAssets.Of(new JsonObject { ["r"] = "$res:u/alice/" + new string('x', 240) })); // 255: the longest taken
        Assert.Empty(ArgumentAssets.Of(null));
    }
}
