namespace Windmill.Jobs.IntegrationTests;

/// <summary>Folders, groups and their ACLs (spec 1.3, 16).</summary>
[Collection(ServicesCollection.Name)]
public sealed class FoldersAndGroupsTests(ServicesFixture services)
{
    [Fact]
    public async Task Folder_creator_owns_it_and_grants_access_through_extra_perms()
    {
        var ws = await TestWorkspace.CreateAsync(services, "fold");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        Assert.Equal(201, (await alice.Post(ws.W + "folders/create", new { name = "team", summary = "s" })).Status);
        Assert.Equal(400, (await alice.Post(ws.W + "folders/create", new { name = "team" })).Status);
        var folder = (await alice.Get(ws.W + "folders/get/team")).Json!;
        Assert.Contains(folder["owners"]!.AsArray(), o => o!.GetValue<string>() == "u/alice");
        Assert.True(folder["extra_perms"]!["u/alice"]!.GetValue<bool>());

        Assert.Equal(201, (await alice.Post(ws.W + "variables/create", new { path = "f/team/v", value = "1", is_secret = false })).Status);
        Assert.Equal(401, (await bob.Get(ws.W + "variables/get_value/f/team/v")).Status);
        Assert.Equal(401, (await bob.Get(ws.W + "folders/get/team")).Status);
        Assert.DoesNotContain("team", (await bob.Get(ws.W + "folders/listnames")).Body);

        Assert.Equal(401, (await bob.Post(ws.W + "folders/update/team", new { extra_perms = new Dictionary<string, bool> { ["u/bob"] = true } })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "acls/add/folder/team", new { owner = "u/bob", write = false })).Status);
        Assert.Equal(200, (await bob.Get(ws.W + "variables/get_value/f/team/v")).Status);
        Assert.Equal(403, (await bob.Post(ws.W + "variables/update/f/team/v", new { value = "2" })).Status);

        Assert.Equal(200, (await alice.Post(ws.W + "folders/addowner/team", new { owner = "u/bob" })).Status);
        Assert.Equal(200, (await bob.Post(ws.W + "variables/update/f/team/v", new { value = "2" })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "folders/removeowner/team", new { owner = "u/bob" })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "acls/remove/folder/team", new { owner = "u/bob" })).Status);
        Assert.Equal(401, (await bob.Get(ws.W + "variables/get_value/f/team/v")).Status);

        Assert.Equal(400, (await alice.Post(ws.W + "folders/addowner/team", new { owner = "bob" })).Status);
        Assert.Equal(401, (await bob.Delete(ws.W + "folders/delete/team")).Status);
        Assert.Equal(200, (await alice.Delete(ws.W + "folders/delete/team")).Status);
        Assert.Equal("false", (await alice.Get(ws.W + "folders/exists/team")).Body);
    }

    [Fact]
    public async Task Group_members_reach_group_paths_and_owners_manage_membership()
    {
        var ws = await TestWorkspace.CreateAsync(services, "grp");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        Assert.Equal(201, (await alice.Post(ws.W + "groups/create", new { name = "data", summary = "data team" })).Status);
        Assert.Equal(400, (await alice.Post(ws.W + "groups/create", new { name = "all" })).Status);
        Assert.Equal(403, (await alice.Post(ws.W + "resources/create", new { path = "g/data/conn", value = 1, resource_type = "state" })).Status);
        Assert.Equal(201, (await ws.Superadmin.Post(ws.W + "resources/create", new { path = "g/data/conn", value = 1, resource_type = "state" })).Status);

        Assert.Equal(401, (await bob.Get(ws.W + "resources/get_value/g/data/conn")).Status);
        Assert.Equal(403, (await bob.Post(ws.W + "groups/adduser/data", new { username = "bob" })).Status);
        Assert.Equal(404, (await alice.Post(ws.W + "groups/adduser/data", new { username = "nobody" })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "groups/adduser/data", new { username = "bob" })).Status);
        Assert.Equal(200, (await bob.Get(ws.W + "resources/get_value/g/data/conn")).Status);
        var group = (await bob.Get(ws.W + "groups/get/data")).Json!;
        Assert.Contains(group["members"]!.AsArray(), m => m!.GetValue<string>() == "bob");
        Assert.Contains((await bob.Get(ws.W + "users/whoami")).Json!["groups"]!.AsArray(), g => g!.GetValue<string>() == "data");

        Assert.Equal(200, (await alice.Post(ws.W + "groups/removeuser/data", new { username = "bob" })).Status);
        Assert.Equal(401, (await bob.Get(ws.W + "resources/get_value/g/data/conn")).Status);
        Assert.Contains("data", (await bob.Get(ws.W + "groups/listnames")).Body);
        Assert.Equal(403, (await bob.Delete(ws.W + "groups/delete/data")).Status);
        Assert.Equal(200, (await alice.Delete(ws.W + "groups/delete/data")).Status);
        Assert.Equal(404, (await alice.Get(ws.W + "groups/get/data")).Status);
    }

    [Fact]
    public async Task Operators_cannot_create_objects()
    {
        var ws = await TestWorkspace.CreateAsync(services, "op");
        var op = await ws.AddUserAsync("opal", isOperator: true);
        var r = await op.Post(ws.W + "variables/create", new { path = "u/opal/v", value = "1", is_secret = false });
        Assert.Equal(403, r.Status);
        Assert.Contains("operators", r.Body);
        Assert.Equal("Operator", (await op.Get(ws.W + "users/whoami")).Json!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Disabled_user_is_locked_out()
    {
        var ws = await TestWorkspace.CreateAsync(services, "dis");
        var alice = await ws.AddUserAsync("alice");
        Assert.Equal(200, (await ws.Superadmin.Post(ws.W + "users/update/alice", new { disabled = true })).Status);
        var r = await alice.Get(ws.W + "users/whoami");
        Assert.Equal(401, r.Status);
        Assert.Contains("disabled", r.Body);
    }
}
