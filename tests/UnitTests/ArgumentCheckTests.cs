using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Scripts;

namespace Windmill.Jobs.UnitTests;

public class ArgumentCheckTests
{
    private static readonly JsonObject Schema = PythonSignatureParser.Parse("def main(name: str, n: int = 1, db: postgresql = None):").ToSchema();

    private static void Check(string args) => ArgumentCheck.Validate(Schema, JsonNode.Parse(args)!.AsObject(), "u/a/s");

    [Fact]
    public void Good_arguments_pass() => Check("""{"name":"x","n":2}""");

    [Fact]
    public void References_pass_for_any_type() => Check("""{"name":"$var:u/a/v","n":"$var:u/a/n","db":"$res:u/a/db"}""");

    [Fact]
    public void Missing_required_argument_is_named()
    {
        var e = Assert.Throws<WindmillError>(() => Check("""{"n":2}"""));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("argument name", e.Message);
    }

    [Fact]
    public void Wrong_type_is_named()
    {
        var e = Assert.Throws<WindmillError>(() => Check("""{"name":"x","n":"two"}"""));
        Assert.Contains("argument n of u/a/s must be an integer, not a string", e.Message);
        Assert.Throws<WindmillError>(() => Check("""{"name":"x","n":1.5}"""));
    }
}
