using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.UnitTests;

public class ResourceSchemaTests
{
    private const string Postgres = """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
         "properties":{"host":{"type":"string"},"port":{"type":"integer"},"user":{"type":"string"},
                       "password":{"type":"string","format":"password"},"sslmode":{"type":"string","enum":["disable","require"]}},
         "required":["host","user"]}
        """;

    private static IReadOnlyList<SchemaViolation> Check(string schema, string value) =>
        ResourceSchema.TryParse(schema)!.Validate(JsonNode.Parse(value));

    [Fact]
    public void A_valid_value_has_no_violations() =>
        Assert.Empty(Check(Postgres, """{"host":"h","user":"u","port":5432,"sslmode":"disable"}"""));

    [Fact]
    public void Every_violation_is_listed_with_its_pointer()
    {
        var v = Check(Postgres, """{"port":"five","sslmode":"maybe"}""").Select(x => x.ToString()).ToList();
        Assert.Contains(v, s => s.StartsWith("/host: is required"));
        Assert.Contains(v, s => s.StartsWith("/user: is required"));
        Assert.Contains(v, s => s.StartsWith("/port:"));
        Assert.Contains(v, s => s.StartsWith("/sslmode:"));
    }

    [Fact]
    public void Reference_strings_are_not_judged()
    {
        Assert.Empty(Check(Postgres, """{"host":"$var:u/a/host","user":"u","port":"$var:u/a/port"}"""));
        Assert.Empty(Check(Postgres, "\"$res:u/a/other\""));
    }

    [Fact]
    public void Nested_items_get_array_pointers()
    {
        const string schema = """{"type":"object","properties":{"l":{"type":"array","items":{"type":"integer"}}}}""";
        var v = Check(schema, """{"l":[1,"x"]}""");
        Assert.Equal("/l/1", Assert.Single(v).Pointer);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    public void No_schema_means_no_checking(string? schema) => Assert.Null(ResourceSchema.TryParse(schema));

    [Fact]
    public void A_schema_that_is_not_an_object_is_refused()
    {
        var e = Assert.Throws<WindmillError>(() => ResourceSchema.CheckUsable(JsonNode.Parse("[1]"), "t"));
        Assert.Equal(400, e.StatusCode);
    }
}
