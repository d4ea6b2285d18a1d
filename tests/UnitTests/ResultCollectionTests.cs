using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.UnitTests;

/// <summary>The result collection annotations of SQL scripts (spec 10.6).</summary>
public class ResultCollectionTests
{
    private static readonly JsonArray First = JsonNode.Parse("""[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]""")!.AsArray();
    private static readonly JsonArray Second = JsonNode.Parse("""[{"n": 10}]""")!.AsArray();

    [Theory]
    [InlineData("SELECT 1;", """[{"n":10}]""")]
    [InlineData("-- result_collection=last_statement_first_row\nSELECT 1;", """{"n":10}""")]
    [InlineData("-- result_collection=last_statement_first_row_scalar\nSELECT 1;", "10")]
    [InlineData("-- result_collection=all_statements_all_rows\nSELECT 1;", """[[{"a":1,"b":"x"},{"a":2,"b":"y"}],[{"n":10}]]""")]
    [InlineData("-- result_collection=all_statements_first_row_scalar\nSELECT 1;", "[1,10]")]
    [InlineData("-- result_collection=all_statements_all_rows_scalar\nSELECT 1;", "[[1,2],[10]]")]
    public void Annotations_pick_the_rows(string code, string expected) =>
        Assert.Equal(expected, ResultCollection.Of(code).Collect([First, Second])!.ToJsonString());

    [Fact]
    public void A_first_row_of_nothing_is_null() =>
        Assert.Null(ResultCollection.Of("-- result_collection=last_statement_first_row").Collect([new JsonArray()]));

    [Fact]
    public void An_unknown_annotation_is_named() =>
        Assert.Contains("unknown result_collection 'everything'",
            Assert.Throws<WindmillError>(() => ResultCollection.Of("-- result_collection=everything")).Message);
}
