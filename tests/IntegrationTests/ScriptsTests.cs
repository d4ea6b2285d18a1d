namespace Windmill.Jobs.IntegrationTests;

/// <summary>Script routes (spec 16): versions by hash, parent_hash chain, arguments read from the code.</summary>
[Collection(ServicesCollection.Name)]
public sealed class ScriptsTests(ServicesFixture services)
{
    [Fact]
    public async Task Create_get_versions_and_archive()
    {
        var ws = await TestWorkspace.CreateAsync(services, "scr");
        var alice = await ws.AddUserAsync("alice");
        var h1 = await alice.DeployAsync(ws, "u/alice/s", "python3", "def main(x: int, y: str = 'a'):\n    return x\n");
        Assert.Matches("^[0-9a-f]{16}$", h1);
        var got = (await alice.Get(ws.W + "scripts/get/p/u/alice/s")).Json!;
        Assert.Equal(h1, got["hash"]!.GetValue<string>());
        Assert.Equal("integer", got["schema"]!["properties"]!["x"]!["type"]!.GetValue<string>());
        Assert.Equal("""["x"]""", got["schema"]!["required"]!.ToJsonString());

        var conflict = await alice.Post(ws.W + "scripts/create", new { path = "u/alice/s", language = "python3", content = "def main(): pass" });
        Assert.Equal(400, conflict.Status);
        Assert.Contains(h1, conflict.Body);
        var h2 = await alice.DeployAsync(ws, "u/alice/s", "python3", "def main():\n    return 2\n", new { parent_hash = h1 });
        Assert.NotEqual(h1, h2);
        var latest = (await alice.Get(ws.W + "scripts/get/p/u/alice/s")).Json!;
        Assert.Equal(h2, latest["hash"]!.GetValue<string>());
        Assert.Equal(h1, latest["parent_hashes"]![0]!.GetValue<string>());
        var old = (await alice.Get(ws.W + "scripts/get/h/" + h1)).Json!;
        Assert.True(old["archived"]!.GetValue<bool>());

        Assert.Equal("true", (await alice.Get(ws.W + "scripts/exists/p/u/alice/s")).Body);
        Assert.Single((await alice.Get(ws.W + "scripts/list")).Json!.AsArray());
        Assert.Equal(200, (await alice.Post(ws.W + "scripts/archive/p/u/alice/s")).Status);
        Assert.Equal("false", (await alice.Get(ws.W + "scripts/exists/p/u/alice/s")).Body);
        Assert.Equal(404, (await alice.Get(ws.W + "scripts/get/p/u/alice/s")).Status);
    }

    [Fact]
    public async Task Unknown_language_and_bad_paths_are_400()
    {
        var ws = await TestWorkspace.CreateAsync(services, "scr");
        var alice = await ws.AddUserAsync("alice");
        var r = await alice.Post(ws.W + "scripts/create", new { path = "u/alice/s", language = "cobol", content = "x" });
        Assert.Equal(400, r.Status);
        Assert.Contains("unknown language 'cobol'", r.Body);
        Assert.Equal(400, (await alice.Post(ws.W + "scripts/create", new { path = "u/alice", language = "bash", content = "x" })).Status);
        Assert.Equal(403, (await alice.Post(ws.W + "scripts/create", new { path = "u/bob/s", language = "bash", content = "x" })).Status);
    }

    [Fact]
    public async Task Delete_removes_every_version()
    {
        var ws = await TestWorkspace.CreateAsync(services, "scr");
        var alice = await ws.AddUserAsync("alice");
        var h = await alice.DeployAsync(ws, "u/alice/d", "bash", "echo hi");
        Assert.Equal(200, (await alice.Delete(ws.W + "scripts/delete/p/u/alice/d")).Status);
        Assert.Equal(404, (await alice.Get(ws.W + "scripts/get/h/" + h)).Status);
        Assert.Equal(404, (await alice.Delete(ws.W + "scripts/delete/p/u/alice/d")).Status);
    }
}
