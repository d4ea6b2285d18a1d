using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>The routes not exercised elsewhere, and the audit trail.</summary>
[Collection(ServicesCollection.Name)]
public sealed class MoreRoutesTests(ServicesFixture services)
{
    [Fact]
    public async Task Logout_ends_the_session_token()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        Assert.Equal(200, (await alice.Post("auth/logout")).Status);
        Assert.Equal(401, (await alice.Get(ws.W + "users/whoami")).Status);
    }

    [Fact]
    public async Task Members_whois_listusernames_and_removal()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        await ws.AddUserAsync("bob");
        Assert.Equal("""["alice","bob","superadmin_secret"]""", (await alice.Get(ws.W + "users/listusernames")).Body);
        var whois = await alice.Get(ws.W + "users/whois/bob");
        Assert.Equal(ws.EmailOf("bob"), whois.Json!["email"]!.GetValue<string>());
        Assert.Equal(404, (await alice.Get(ws.W + "users/whois/nobody")).Status);
        Assert.Equal(403, (await alice.Delete(ws.W + "users/delete/bob")).Status);
        Assert.Equal(200, (await ws.Superadmin.Delete(ws.W + "users/delete/alice")).Status);
        Assert.Equal(401, (await alice.Get(ws.W + "users/whoami")).Status);
    }

    [Fact]
    public async Task Superadmin_lists_every_workspace_and_checks_existence()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var all = await ws.Superadmin.Get("workspaces/list_as_superadmin");
        Assert.Contains(all.Json!.AsArray(), w => w!["id"]!.GetValue<string>() == ws.Id);
        Assert.Equal("true", (await ws.Superadmin.Post("workspaces/exists", new { id = ws.Id })).Body);
        Assert.Equal("false", (await ws.Superadmin.Post("workspaces/exists", new { id = "nope-nope" })).Body);
        var alice = await ws.AddUserAsync("alice");
        Assert.Equal(403, (await alice.Get("workspaces/list_as_superadmin")).Status);
    }

    [Fact]
    public async Task List_search_returns_visible_values_and_folder_list()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        await alice.Post(ws.W + "resources/create", new { path = "u/alice/s", value = new { k = "v" }, resource_type = "state" });
        var search = await alice.Get(ws.W + "resources/list_search");
        Assert.Equal("v", Assert.Single(search.Json!.AsArray())!["value"]!["k"]!.GetValue<string>());
        Assert.Empty((await bob.Get(ws.W + "resources/list_search")).Json!.AsArray());
        await alice.Post(ws.W + "folders/create", new { name = "f1" });
        var folders = await alice.Get(ws.W + "folders/list");
        Assert.Equal("f1", Assert.Single(folders.Json!.AsArray())!["name"]!.GetValue<string>());
        Assert.Empty((await bob.Get(ws.W + "folders/list")).Json!.AsArray());
    }

    [Fact]
    public async Task Group_update_and_list()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "groups/create", new { name = "g1" });
        Assert.Equal(200, (await alice.Post(ws.W + "groups/update/g1", new { summary = "new summary" })).Status);
        var list = await alice.Get(ws.W + "groups/list");
        Assert.Equal("new summary", Assert.Single(list.Json!.AsArray())!["summary"]!.GetValue<string>());
        var all = await alice.Get(ws.W + "groups/get/all");
        Assert.Contains(all.Json!["members"]!.AsArray(), m => m!.GetValue<string>() == "alice");
    }

    [Fact]
    public async Task Acl_remove_takes_access_back()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        await alice.Post(ws.W + "resources/create", new { path = "u/alice/r", value = 1, resource_type = "state" });
        await alice.Post(ws.W + "acls/add/resource/u/alice/r", new { owner = "u/bob", write = true });
        Assert.Equal(200, (await bob.Post(ws.W + "resources/update_value/u/alice/r", new { value = 2 })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "acls/remove/resource/u/alice/r", new { owner = "u/bob" })).Status);
        Assert.Equal(401, (await bob.Get(ws.W + "resources/get/u/alice/r")).Status);
        Assert.Equal(400, (await alice.Post(ws.W + "acls/add/widget/u/alice/r", new { owner = "u/bob" })).Status);
        Assert.Equal(404, (await alice.Post(ws.W + "acls/add/resource/u/alice/none", new { owner = "u/bob" })).Status);
    }

    [Fact]
    public async Task Include_encrypted_returns_ciphertext_not_plaintext()
    {
        var ws = await TestWorkspace.CreateAsync(services, "more");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/s", value = "plain-secret", is_secret = true });
        var r = await alice.Get(ws.W + "variables/get/u/alice/s?decrypt_secret=false&include_encrypted=true");
        var value = r.Json!["value"]!.GetValue<string>();
        Assert.NotEqual("plain-secret", value);
        // the ciphertext is the workspace's: stored as already encrypted, it reads back as the plaintext
        Assert.Equal(201, (await alice.Post(ws.W + "variables/create?already_encrypted=true", new { path = "u/alice/s2", value, is_secret = true })).Status);
        Assert.Equal("\"plain-secret\"", (await alice.Get(ws.W + "variables/get_value/u/alice/s2")).Body);
    }

    [Fact]
    public async Task Changes_and_secret_reads_are_audited_without_values()
    {
        var ws = await TestWorkspace.CreateAsync(services, "audit");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/audited", value = "audited-secret-value", is_secret = true });
        for (var i = 0; i < 3; i++) await alice.Get(ws.W + "variables/get_value/u/alice/audited");

        var rows = new List<(string Op, string? Params)>();
        for (var attempt = 0; attempt < 50 && !rows.Any(r => r.Op == "variables.decrypt_secret"); attempt++)
        {
            await Task.Delay(200);
            rows.Clear();
            await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
            await db.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT operation, parameters::text FROM audit WHERE workspace_id = @w AND username = 'alice' AND resource = 'u/alice/audited'", db);
            cmd.Parameters.AddWithValue("w", ws.Id);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        Assert.Contains(rows, r => r.Op == "variables.create");
        var reads = rows.Where(r => r.Op == "variables.decrypt_secret").ToList();
        Assert.NotEmpty(reads);
        Assert.Equal(3, reads.Sum(r => r.Params is null ? 1 : System.Text.Json.Nodes.JsonNode.Parse(r.Params)!["count"]!.GetValue<int>()));
        Assert.DoesNotContain(rows, r => r.Params?.Contains("audited-secret-value") == true);
    }
}
