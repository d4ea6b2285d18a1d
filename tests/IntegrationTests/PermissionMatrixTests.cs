namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// Spec 1.3 end to end: who can read and write each kind of path, for variables and resources.
/// alice and bob own u/alice and u/bob; carol reads folder shared, dave writes it; erin is in group ops;
/// root is a workspace admin; frank has nothing. u/alice/to_bob is shared read-only with bob and
/// u/alice/to_ops writable by group ops, both through ACLs.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class PermissionMatrixTests(ServicesFixture services)
{
    private sealed record World(TestWorkspace Ws, Dictionary<string, ApiClient> Users);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static World? _world;

    private static readonly string[] UserNames = ["alice", "bob", "carol", "dave", "erin", "root", "frank"];
    private static readonly string[] Paths = ["u/alice/x", "u/bob/x", "f/shared/x", "g/ops/x", "u/alice/to_bob", "u/alice/to_ops"];

    private async Task<World> WorldAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_world is not null) return _world;
            var ws = await TestWorkspace.CreateAsync(services, "perm");
            var users = new Dictionary<string, ApiClient>();
            foreach (var u in UserNames) users[u] = await ws.AddUserAsync(u, isAdmin: u == "root");
            var su = ws.Superadmin;
            Ok(await su.Post(ws.W + "folders/create", new { name = "shared", extra_perms = new Dictionary<string, bool> { ["u/carol"] = false, ["u/dave"] = true } }));
            Ok(await su.Post(ws.W + "groups/create", new { name = "ops" }));
            Ok(await su.Post(ws.W + "groups/adduser/ops", new { username = "erin" }));
            foreach (var path in Paths)
            {
                Ok(await su.Post(ws.W + "variables/create", new { path, value = "v", is_secret = true }));
                Ok(await su.Post(ws.W + "resources/create", new { path, value = new { v = 1 }, resource_type = "state" }));
            }
            foreach (var kind in new[] { "variable", "resource" })
            {
                Ok(await users["alice"].Post(ws.W + $"acls/add/{kind}/u/alice/to_bob", new { owner = "u/bob", write = false }));
                Ok(await users["alice"].Post(ws.W + $"acls/add/{kind}/u/alice/to_ops", new { owner = "g/ops", write = true }));
            }
            return _world = new World(ws, users);
        }
        finally { Gate.Release(); }
    }

    private static void Ok(Reply r) => Assert.True(r.Status is 200 or 201, r.ToString());

    /// <summary>Expected (read, write) status per user and path; admins pass everything.</summary>
    public static TheoryData<string, string, string, int, int> Matrix()
    {
        var readers = new Dictionary<string, string[]>
        {
            ["u/alice/x"] = ["alice"], ["u/bob/x"] = ["bob"], ["f/shared/x"] = ["carol", "dave"], ["g/ops/x"] = ["erin"],
            ["u/alice/to_bob"] = ["alice", "bob"], ["u/alice/to_ops"] = ["alice", "erin"],
        };
        var writers = new Dictionary<string, string[]>
        {
            ["u/alice/x"] = ["alice"], ["u/bob/x"] = ["bob"], ["f/shared/x"] = ["dave"], ["g/ops/x"] = ["erin"],
            ["u/alice/to_bob"] = ["alice"], ["u/alice/to_ops"] = ["alice", "erin"],
        };
        var data = new TheoryData<string, string, string, int, int>();
        foreach (var kind in new[] { "variables", "resources" })
            foreach (var user in UserNames)
                foreach (var path in Paths)
                {
                    var canRead = user == "root" || readers[path].Contains(user);
                    var canWrite = user == "root" || writers[path].Contains(user);
                    data.Add(kind, user, path, canRead ? 200 : 401, canWrite ? 200 : canRead ? 403 : 401);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Read_and_write_follow_the_path(string kind, string user, string path, int read, int write)
    {
        var world = await WorldAsync();
        var who = world.Users[user];
        var w = world.Ws.W;
        var readReply = await who.Get(w + (kind == "variables" ? "variables/get_value/" : "resources/get_value/") + path);
        Assert.True(read == readReply.Status, $"{user} reading {kind} {path}: {readReply}");
        var writeReply = kind == "variables"
            ? await who.Post(w + "variables/update/" + path, new { value = "v" })
            : await who.Post(w + "resources/update_value/" + path, new { value = new { v = 1 } });
        Assert.True(write == writeReply.Status, $"{user} writing {kind} {path}: {writeReply}");
        if (read == 401) Assert.Contains("exists but you don't have access", readReply.Body);
    }

    [Theory]
    [InlineData("alice", "u/alice/new_{0}", 201)]
    [InlineData("alice", "u/bob/new_{0}", 403)]
    [InlineData("dave", "f/shared/new_{0}", 201)]
    [InlineData("carol", "f/shared/new_{0}", 403)]
    [InlineData("frank", "f/shared/new_{0}", 403)]
    [InlineData("erin", "g/ops/new_{0}", 201)]
    [InlineData("frank", "g/ops/new_{0}", 403)]
    [InlineData("root", "u/bob/by_root_{0}", 201)]
    public async Task Create_needs_write_on_the_path(string user, string pathPattern, int expected)
    {
        var world = await WorldAsync();
        var path = string.Format(pathPattern, Guid.NewGuid().ToString("N")[..6]);
        var v = await world.Users[user].Post(world.Ws.W + "variables/create", new { path, value = "1", is_secret = false });
        Assert.True(expected == v.Status, $"{user} creating variable {path}: {v}");
        var r = await world.Users[user].Post(world.Ws.W + "resources/create", new { path, value = 1, resource_type = "state" });
        Assert.True(expected == r.Status, $"{user} creating resource {path}: {r}");
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("root")]
    [InlineData("frank")]
    public async Task Missing_objects_are_404_for_everyone(string user)
    {
        var world = await WorldAsync();
        Assert.Equal(404, (await world.Users[user].Get(world.Ws.W + "variables/get_value/u/alice/missing")).Status);
        Assert.Equal(404, (await world.Users[user].Get(world.Ws.W + "resources/get_value/u/alice/missing")).Status);
    }

    [Fact]
    public async Task Interpolation_runs_with_the_callers_permissions()
    {
        var world = await WorldAsync();
        var w = world.Ws.W;
        // bob can read u/alice/to_bob (ACL), which refers to u/alice/x that bob cannot read.
        Ok(await world.Users["alice"].Post(w + "resources/create", new { path = "u/alice/to_bob_ref", value = new { inner = "$var:u/alice/x" }, resource_type = "state" }));
        Ok(await world.Users["alice"].Post(w + "acls/add/resource/u/alice/to_bob_ref", new { owner = "u/bob", write = false }));
        Assert.Equal(200, (await world.Users["alice"].Get(w + "resources/get_value_interpolated/u/alice/to_bob_ref")).Status);
        Assert.Equal(200, (await world.Users["bob"].Get(w + "resources/get_value/u/alice/to_bob_ref")).Status);
        Assert.Equal(401, (await world.Users["bob"].Get(w + "resources/get_value_interpolated/u/alice/to_bob_ref")).Status);
    }

    [Fact]
    public async Task Only_owners_change_acls_and_rename()
    {
        var world = await WorldAsync();
        var w = world.Ws.W;
        var byDave = await world.Users["dave"].Post(w + "acls/add/variable/f/shared/x", new { owner = "u/frank", write = true });
        Assert.Equal(403, byDave.Status);
        var byErin = await world.Users["erin"].Post(w + "variables/update/u/alice/to_ops", new { path = "g/ops/stolen" });
        Assert.Equal(403, byErin.Status);
        Assert.Equal("true", (await world.Users["alice"].Get(w + "variables/exists/u/alice/to_ops")).Body);
        var acl = await world.Users["alice"].Get(w + "acls/get/variable/u/alice/to_bob");
        Assert.Equal("""{"u/bob":false}""", acl.Body);
    }
}
