using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Bootstrap and identity (spec 16, 11): superadmin secret, login, users, tokens, workspaces.</summary>
[Collection(ServicesCollection.Name)]
public sealed class BootstrapTests(ServicesFixture services)
{
    private ApiClient Anonymous => new(services.BaseUrl, null);

    [Fact]
    public async Task Version_is_plain_text()
    {
        var r = await Anonymous.Get("version");
        Assert.Equal(200, r.Status);
        Assert.StartsWith("text/plain", r.ContentType);
        Assert.Matches(@"v\d+\.\d+\.\d+", r.Body);
    }

    [Fact]
    public async Task Default_admin_logs_in_with_changeme_and_is_superadmin()
    {
        var login = await Anonymous.Post("auth/login", new { email = "admin@windmill.dev", password = "changeme" });
        Assert.Equal(200, login.Status);
        var me = await Anonymous.As(login.Body).Get("users/whoami");
        Assert.Equal(200, me.Status);
        Assert.Equal("admin@windmill.dev", me.Json!["email"]!.GetValue<string>());
        Assert.True(me.Json!["super_admin"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Wrong_password_is_refused()
    {
        var login = await Anonymous.Post("auth/login", new { email = "admin@windmill.dev", password = "nope" });
        Assert.Equal(400, login.Status);
        Assert.Equal("Bad request: Invalid login", login.Body);
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_401_with_a_clear_message()
    {
        var missing = await Anonymous.Get("users/whoami");
        Assert.Equal(401, missing.Status);
        Assert.Contains("missing token", missing.Body);
        var wrong = await Anonymous.As("not-a-token").Get("w/admins/variables/list");
        Assert.Equal(401, wrong.Status);
        Assert.Equal("Not authorized: invalid token", wrong.Body);
    }

    [Fact]
    public async Task Only_superadmins_create_users_and_workspaces()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var alice = await ws.AddUserAsync("alice");
        var user = await alice.Post("users/create", new { email = "x@example.test", password = "p", super_admin = true });
        Assert.Equal(403, user.Status);
        var wsCreate = await alice.Post("workspaces/create", new { id = "alice-ws", name = "A" });
        Assert.Equal(403, wsCreate.Status);
    }

    [Fact]
    public async Task Workspace_create_list_and_members()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var dup = await ws.Superadmin.Post("workspaces/create", new { id = ws.Id, name = "again" });
        Assert.Equal(400, dup.Status);
        Assert.Contains(ws.Id, dup.Body);

        var alice = await ws.AddUserAsync("alice");
        var list = await alice.Get("workspaces/list");
        Assert.Contains(list.Json!.AsArray(), w => w!["id"]!.GetValue<string>() == ws.Id);
        Assert.DoesNotContain(list.Json!.AsArray(), w => w!["id"]!.GetValue<string>() == "admins");

        var me = await alice.Get(ws.W + "users/whoami");
        Assert.Equal("alice", me.Json!["username"]!.GetValue<string>());
        Assert.False(me.Json!["is_admin"]!.GetValue<bool>());
        Assert.Contains(me.Json!["groups"]!.AsArray(), g => g!.GetValue<string>() == "all");

        var members = await alice.Get(ws.W + "users/list");
        Assert.Contains(members.Json!.AsArray(), u => u!["username"]!.GetValue<string>() == "alice");

        var notAdmin = await alice.Post(ws.W + "workspaces/add_user", new { email = "z@example.test", is_admin = false });
        Assert.Equal(403, notAdmin.Status);
        Assert.StartsWith("Require Admin privileges for ", notAdmin.Body);
    }

    [Fact]
    public async Task Non_member_gets_401_and_unknown_workspace_404()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var other = await TestWorkspace.CreateAsync(services, "boot");
        var alice = await ws.AddUserAsync("alice");
        var r = await alice.Get(other.W + "variables/list");
        Assert.Equal(401, r.Status);
        Assert.Contains("not a member", r.Body);
        var unknown = await alice.Get("w/no-such-workspace/variables/list");
        Assert.Equal(404, unknown.Status);
        Assert.Equal("Not found: workspace no-such-workspace not found", unknown.Body);
    }

    [Fact]
    public async Task Api_tokens_are_shown_once_stored_hashed_and_die_when_deleted()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var alice = await ws.AddUserAsync("alice");
        var created = await alice.Post("users/tokens/create", new { label = "ci" });
        Assert.Equal(201, created.Status);
        var token = created.Body;
        Assert.Equal(200, (await alice.As(token).Get(ws.W + "users/whoami")).Status);

        var list = await alice.Get("users/tokens/list");
        var entry = Assert.Single(list.Json!.AsArray(), t => t!["label"]?.GetValue<string>() == "ci");
        Assert.DoesNotContain(token, list.Body);
        var prefix = entry!["token_prefix"]!.GetValue<string>();
        Assert.StartsWith(prefix, token);

        await using (var db = new NpgsqlConnection(services.NpgsqlConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM token WHERE token_hash = @t OR token_prefix = @t", db);
            cmd.Parameters.AddWithValue("t", token);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        }

        Assert.Equal(200, (await alice.Delete("users/tokens/delete/" + prefix)).Status);
        var after = await alice.As(token).Get(ws.W + "users/whoami");
        Assert.Equal(401, after.Status);
    }

    [Fact]
    public async Task Workspace_limited_token_cannot_reach_another_workspace()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var other = await TestWorkspace.CreateAsync(services, "boot");
        var alice = await ws.AddUserAsync("alice");
        await other.Superadmin.Post(other.W + "workspaces/add_user", new { email = ws.EmailOf("alice"), username = "alice", is_admin = false });
        var limited = (await alice.Post("users/tokens/create", new { label = "one", workspace_id = ws.Id })).Body;
        Assert.Equal(200, (await alice.As(limited).Get(ws.W + "users/whoami")).Status);
        Assert.Equal(401, (await alice.As(limited).Get(other.W + "users/whoami")).Status);
        Assert.Equal(200, (await alice.Get(other.W + "users/whoami")).Status);
    }

    [Fact]
    public async Task Scoped_token_may_only_do_what_its_scopes_say()
    {
        var ws = await TestWorkspace.CreateAsync(services, "boot");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/a", value = "1", is_secret = false });
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/b", value = "2", is_secret = false });
        var scoped = alice.As((await alice.Post("users/tokens/create", new { label = "s", scopes = new[] { "variables:read:u/alice/a" } })).Body);
        Assert.Equal(200, (await scoped.Get(ws.W + "variables/get_value/u/alice/a")).Status);
        Assert.Equal(403, (await scoped.Get(ws.W + "variables/get_value/u/alice/b")).Status);
        var write = await scoped.Post(ws.W + "variables/update/u/alice/a", new { value = "x" });
        Assert.Equal(403, write.Status);
        Assert.Contains("variables:write:u/alice/a", write.Body);
    }
}
