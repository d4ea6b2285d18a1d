using Npgsql;
using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Variables (spec 2) over HTTP against the real store.</summary>
[Collection(ServicesCollection.Name)]
public sealed class VariablesTests(ServicesFixture services) : IAsyncLifetime
{
    private TestWorkspace _ws = null!;
    private ApiClient _alice = null!;
    private const string Secret = "s3cr3t-hunter2-value";

    public async Task InitializeAsync()
    {
        _ws = await TestWorkspace.CreateAsync(services, "vars");
        _alice = await _ws.AddUserAsync("alice");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string W => _ws.W;

    private async Task<string?> StoredValueAsync(string path)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT value FROM variable WHERE workspace_id = @w AND path = @p", db);
        cmd.Parameters.AddWithValue("w", _ws.Id);
        cmd.Parameters.AddWithValue("p", path);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    private async Task<string> WorkspaceKeyAsync()
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT key FROM workspace_key WHERE workspace_id = @w", db);
        cmd.Parameters.AddWithValue("w", _ws.Id);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Create_answers_201_text_and_duplicates_answer_400()
    {
        var r = await _alice.Post(W + "variables/create", new { path = "u/alice/plain", value = "v1", is_secret = false, description = "d" });
        Assert.Equal(201, r.Status);
        Assert.Equal("variable u/alice/plain created", r.Body);
        var dup = await _alice.Post(W + "variables/create", new { path = "u/alice/plain", value = "v2", is_secret = false });
        Assert.Equal(400, dup.Status);
        Assert.Equal("Bad request: Variable u/alice/plain already exists", dup.Body);
        Assert.Equal("\"v1\"", (await _alice.Get(W + "variables/get_value/u/alice/plain")).Body);
    }

    [Fact]
    public async Task Secret_is_encrypted_at_rest_with_the_workspace_key()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/secret", value = Secret, is_secret = true });
        var stored = await StoredValueAsync("u/alice/secret");
        Assert.NotEqual(Secret, stored);
        Assert.Equal(Secret, new SecretCipher(await WorkspaceKeyAsync()).Decrypt(stored!));
    }

    [Fact]
    public async Task Get_value_is_a_json_string_and_get_decrypts_by_default()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/s2", value = Secret, is_secret = true });
        var value = await _alice.Get(W + "variables/get_value/u/alice/s2");
        Assert.StartsWith("application/json", value.ContentType);
        Assert.Equal(Secret, value.Json!.GetValue<string>());

        var get = await _alice.Get(W + "variables/get/u/alice/s2");
        Assert.Equal(Secret, get.Json!["value"]!.GetValue<string>());
        Assert.True(get.Json!["is_secret"]!.GetValue<bool>());
        var hidden = await _alice.Get(W + "variables/get/u/alice/s2?decrypt_secret=false");
        Assert.Null(hidden.Json!["value"]);
    }

    [Fact]
    public async Task Listing_never_shows_secret_values()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/listed_secret", value = Secret, is_secret = true });
        await _alice.Post(W + "variables/create", new { path = "u/alice/listed_plain", value = "visible", is_secret = false });
        var list = await _alice.Get(W + "variables/list");
        Assert.Equal(200, list.Status);
        Assert.DoesNotContain(Secret, list.Body);
        var items = list.Json!.AsArray();
        Assert.Null(items.Single(v => v!["path"]!.GetValue<string>() == "u/alice/listed_secret")!["value"]);
        Assert.Equal("visible", items.Single(v => v!["path"]!.GetValue<string>() == "u/alice/listed_plain")!["value"]!.GetValue<string>());
        var filtered = await _alice.Get(W + "variables/list?path_start=u/alice/listed_p");
        Assert.Single(filtered.Json!.AsArray());
    }

    [Fact]
    public async Task Exists_is_json_bool()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/e", value = "1", is_secret = false });
        var yes = await _alice.Get(W + "variables/exists/u/alice/e");
        Assert.StartsWith("application/json", yes.ContentType);
        Assert.Equal("true", yes.Body);
        Assert.Equal("false", (await _alice.Get(W + "variables/exists/u/alice/nope")).Body);
    }

    [Fact]
    public async Task Missing_variable_is_404_with_windmill_message()
    {
        var r = await _alice.Get(W + "variables/get_value/u/alice/missing");
        Assert.Equal(404, r.Status);
        Assert.Equal("Not found: Variable u/alice/missing not found", r.Body);
    }

    [Fact]
    public async Task Update_changes_value_and_reencrypts_secrets()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/u1", value = "old", is_secret = true });
        var r = await _alice.Post(W + "variables/update/u/alice/u1", new { value = "new-secret-value", description = "desc" });
        Assert.Equal(200, r.Status);
        Assert.Equal("variable u/alice/u1 updated (npath: u/alice/u1)", r.Body);
        Assert.Equal("\"new-secret-value\"", (await _alice.Get(W + "variables/get_value/u/alice/u1")).Body);
        Assert.NotEqual("new-secret-value", await StoredValueAsync("u/alice/u1"));
    }

    [Fact]
    public async Task Making_a_variable_secret_needs_a_value()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/flip", value = "plain", is_secret = false });
        var r = await _alice.Post(W + "variables/update/u/alice/flip", new { is_secret = true });
        Assert.Equal(400, r.Status);
        Assert.Equal("plain", await StoredValueAsync("u/alice/flip"));
        var ok = await _alice.Post(W + "variables/update/u/alice/flip", new { is_secret = true, value = "now-secret" });
        Assert.Equal(200, ok.Status);
        Assert.NotEqual("now-secret", await StoredValueAsync("u/alice/flip"));
    }

    [Fact]
    public async Task Making_a_secret_plain_stores_its_plaintext()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/unflip", value = "was-secret", is_secret = true });
        await _alice.Post(W + "variables/update/u/alice/unflip", new { is_secret = false });
        Assert.Equal("was-secret", await StoredValueAsync("u/alice/unflip"));
        Assert.Equal("\"was-secret\"", (await _alice.Get(W + "variables/get_value/u/alice/unflip")).Body);
    }

    [Fact]
    public async Task Rename_moves_the_linked_resource_and_its_reference()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/oauth", value = "tok", is_secret = true });
        await _alice.Post(W + "resources/create", new { path = "u/alice/oauth", resource_type = "slack", value = new { token = "$var:u/alice/oauth" } });
        var r = await _alice.Post(W + "variables/update/u/alice/oauth", new { path = "u/alice/oauth2" });
        Assert.Equal("variable u/alice/oauth updated (npath: u/alice/oauth2)", r.Body);
        Assert.Equal("false", (await _alice.Get(W + "variables/exists/u/alice/oauth")).Body);
        var res = await _alice.Get(W + "resources/get_value/u/alice/oauth2");
        Assert.Equal("$var:u/alice/oauth2", res.Json!["token"]!.GetValue<string>());
        Assert.Equal("tok", (await _alice.Get(W + "resources/get_value_interpolated/u/alice/oauth2")).Json!["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_removes_the_variable_and_its_linked_resource()
    {
        await _alice.Post(W + "variables/create", new { path = "u/alice/d", value = "x", is_secret = false });
        await _alice.Post(W + "resources/create", new { path = "u/alice/d", resource_type = "state", value = 1 });
        var r = await _alice.Delete(W + "variables/delete/u/alice/d");
        Assert.Equal("variable u/alice/d deleted", r.Body);
        Assert.Equal("false", (await _alice.Get(W + "variables/exists/u/alice/d")).Body);
        Assert.Equal("false", (await _alice.Get(W + "resources/exists/u/alice/d")).Body);
    }

    [Fact]
    public async Task Delete_bulk_deletes_only_what_the_caller_may_write()
    {
        var bob = await _ws.AddUserAsync("bob");
        await _alice.Post(W + "variables/create", new { path = "u/alice/b1", value = "1", is_secret = false });
        await bob.Post(W + "variables/create", new { path = "u/bob/b2", value = "2", is_secret = false });
        var r = await _alice.Delete(W + "variables/delete_bulk", new { paths = new[] { "u/alice/b1", "u/bob/b2" } });
        Assert.Equal(200, r.Status);
        Assert.Equal("[\"u/alice/b1\"]", r.Body);
        Assert.Equal("true", (await bob.Get(W + "variables/exists/u/bob/b2")).Body);
    }

    [Fact]
    public async Task Encrypt_uses_the_workspace_key()
    {
        var r = await _alice.Post(W + "variables/encrypt", "to-encrypt");
        Assert.Equal(200, r.Status);
        Assert.Equal("to-encrypt", new SecretCipher(await WorkspaceKeyAsync()).Decrypt(r.Body));
        var created = await _alice.Post(W + "variables/create?already_encrypted=true", new { path = "u/alice/pre", value = r.Body, is_secret = true });
        Assert.Equal(201, created.Status);
        Assert.Equal("\"to-encrypt\"", (await _alice.Get(W + "variables/get_value/u/alice/pre")).Body);
    }

    [Fact]
    public async Task Contextual_variables_name_the_caller()
    {
        var r = await _alice.Get(W + "variables/list_contextual");
        var byName = r.Json!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!["value"]!.GetValue<string>());
        Assert.Equal(_ws.Id, byName["WM_WORKSPACE"]);
        Assert.Equal("alice", byName["WM_USERNAME"]);
        Assert.Equal("u/alice", byName["WM_PERMISSIONED_AS"]);
        Assert.Contains("WM_STATE_PATH", byName.Keys);
    }

    [Fact]
    public async Task Value_longer_than_the_limit_is_refused_and_nothing_is_written()
    {
        var r = await _alice.Post(W + "variables/create", new { path = "u/alice/big", value = new string('x', 15_001), is_secret = false });
        Assert.Equal(400, r.Status);
        Assert.Contains("u/alice/big", r.Body);
        Assert.Contains("15000", r.Body);
        Assert.Equal("false", (await _alice.Get(W + "variables/exists/u/alice/big")).Body);
    }

    [Fact]
    public async Task Secret_values_never_reach_the_api_log()
    {
        const string marker = "log-leak-canary-7c1e9";
        await _alice.Post(W + "variables/create", new { path = "u/alice/canary", value = marker, is_secret = true });
        await _alice.Get(W + "variables/get_value/u/alice/canary");
        await _alice.Post(W + "variables/create", new { path = "u/alice/canary", value = marker, is_secret = true }); // duplicate: an error path
        await _alice.Post(W + "variables/update/u/alice/canary", new { value = marker, is_secret = "yes" }); // bad body: an error path
        Assert.DoesNotContain(marker, services.Api.Output);
    }
}
