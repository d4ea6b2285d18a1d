using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Paths;

namespace Windmill.Jobs.UnitTests;

public class ObjectPathTests
{
    [Theory]
    [InlineData("u/alice/my_var")]
    [InlineData("f/etl/daily/clean")]
    [InlineData("g/ops/x-1")]
    [InlineData("u/a-b/c_d/e")]
    public void Accepts_windmill_paths(string path) => Assert.True(ObjectPath.IsValid(path));

    [Theory]
    [InlineData("u/alice")]           // needs two segments after the kind
    [InlineData("x/alice/v")]         // unknown kind letter
    [InlineData("u/alice/v/")]        // trailing slash
    [InlineData("u//v")]              // empty segment
    [InlineData("u/alice/my var")]    // space
    [InlineData("u/alice/é")]         // non-ASCII
    [InlineData("/u/alice/v")]
    [InlineData("")]
    public void Rejects_malformed_paths(string path) => Assert.False(ObjectPath.IsValid(path));

    [Fact]
    public void Parse_gives_kind_and_owner()
    {
        var p = ObjectPath.Parse("f/etl/daily/clean");
        Assert.Equal(PathOwnerKind.Folder, p.Kind);
        Assert.Equal("etl", p.Owner);
    }

    [Fact]
    public void Parse_error_is_a_400_naming_the_path()
    {
        var e = Assert.Throws<WindmillError>(() => ObjectPath.Parse("u/alice"));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("'u/alice'", e.Message);
    }

    [Fact]
    public void Path_longer_than_255_characters_is_rejected() =>
        Assert.False(ObjectPath.IsValid("u/alice/" + new string('a', 250)));

    [Theory]
    [InlineData("demo", true)]
    [InlineData("my-team_2", true)]
    [InlineData("a--b", false)]
    [InlineData("-a", false)]
    [InlineData("a b", false)]
    public void Workspace_ids_follow_windmill_rule(string id, bool ok)
    {
        if (ok) Names.CheckWorkspaceId(id);
        else Assert.Throws<WindmillError>(() => Names.CheckWorkspaceId(id));
    }
}
