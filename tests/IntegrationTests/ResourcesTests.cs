using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Resources and interpolation (spec 3) over HTTP against the real store.</summary>
[Collection(ServicesCollection.Name)]
public sealed class ResourcesTests(ServicesFixture services) : IAsyncLifetime
{
    private TestWorkspace _ws = null!;
    private ApiClient _alice = null!;
    private ApiClient _bob = null!;

    public async Task InitializeAsync()
    {
        _ws = await TestWorkspace.CreateAsync(services, "res");
        _alice = await _ws.AddUserAsync("alice");
        _bob = await _ws.AddUserAsync("bob");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string W => _ws.W;

    private async Task Var(ApiClient who, string path, string value, bool secret = false) =>
        Assert.Equal(201, (await who.Post(W + "variables/create", new { path, value, is_secret = secret })).Status);

    private async Task Res(ApiClient who, string path, object value, string type = "state") =>
        Assert.Equal(201, (await who.Post(W + "resources/create", new { path, value, resource_type = type })).Status);

    [Fact]
    public async Task Create_get_and_get_value()
    {
        var r = await _alice.Post(W + "resources/create", new
        {
            path = "u/alice/pg", resource_type = "postgresql", description = "# Main DB\n\n*markdown* kept",
            value = new { host = "db", port = 5432, user = "u", dbname = "d", password = "$var:u/alice/pw" },
        });
        Assert.Equal(201, r.Status);
        Assert.Equal("resource u/alice/pg created", r.Body);
        var get = await _alice.Get(W + "resources/get/u/alice/pg");
        Assert.Equal("postgresql", get.Json!["resource_type"]!.GetValue<string>());
        Assert.Equal("# Main DB\n\n*markdown* kept", get.Json!["description"]!.GetValue<string>());
        Assert.Equal("$var:u/alice/pw", get.Json!["value"]!["password"]!.GetValue<string>());
        var raw = await _alice.Get(W + "resources/get_value/u/alice/pg");
        Assert.StartsWith("application/json", raw.ContentType);
        Assert.Equal(5432, raw.Json!["port"]!.GetValue<int>());
        Assert.Equal("true", (await _alice.Get(W + "resources/exists/u/alice/pg")).Body);
    }

    [Fact]
    public async Task Duplicate_is_400_unless_update_if_exists()
    {
        await Res(_alice, "u/alice/dup", 1, "counter");
        var dup = await _alice.Post(W + "resources/create", new { path = "u/alice/dup", value = 2, resource_type = "counter" });
        Assert.Equal(400, dup.Status);
        Assert.Equal("Bad request: Resource u/alice/dup already exists", dup.Body);
        var upsert = await _alice.Post(W + "resources/create?update_if_exists=true", new { path = "u/alice/dup", value = 3, resource_type = "counter" });
        Assert.Equal(201, upsert.Status);
        Assert.Equal("3", (await _alice.Get(W + "resources/get_value/u/alice/dup")).Body);
    }

    [Fact]
    public async Task Concurrent_first_state_writes_both_succeed_and_the_last_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var path = $"u/alice/race_{round}";
            var writes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                _alice.Post(W + "resources/create", new { path, value = i, resource_type = "state" })));
            Assert.All(writes, w => Assert.Equal(201, w.Status));
            var final = int.Parse((await _alice.Get(W + "resources/get_value/" + path)).Body);
            Assert.InRange(final, 0, 7);
        }
    }

    [Fact]
    public async Task Interpolation_resolves_vars_secrets_and_nested_resources()
    {
        await Var(_alice, "u/alice/host", "db.internal");
        await Var(_alice, "u/alice/user", "app");
        await Var(_alice, "u/alice/pass", "p@ss-secret", secret: true);
        await Res(_alice, "u/alice/tls", new { ca = "$var:u/alice/host", mode = "verify" });
        await Res(_alice, "u/alice/conn", new
        {
            host = "$var:u/alice/host", user = "$VAR:u/alice/user", password = "$var:u/alice/pass", tls = "$res:u/alice/tls",
            hosts = new[] { "$var:u/alice/host" }, note = "prefix $var:u/alice/host", port = 5432,
        });
        var r = await _alice.Get(W + "resources/get_value_interpolated/u/alice/conn");
        Assert.Equal(200, r.Status);
        var v = r.Json!;
        Assert.Equal("db.internal", v["host"]!.GetValue<string>());
        Assert.Equal("app", v["user"]!.GetValue<string>());
        Assert.Equal("p@ss-secret", v["password"]!.GetValue<string>());
        Assert.Equal("db.internal", v["tls"]!["ca"]!.GetValue<string>());
        Assert.Equal("db.internal", v["hosts"]![0]!.GetValue<string>());
        Assert.Equal("prefix $var:u/alice/host", v["note"]!.GetValue<string>());
        Assert.Equal(5432, v["port"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cyclic_res_chain_is_a_400_not_a_hang()
    {
        await Res(_alice, "u/alice/cyc_a", "$res:u/alice/cyc_b");
        await Res(_alice, "u/alice/cyc_b", new { back = "$res:u/alice/cyc_a" });
        var r = await _alice.Get(W + "resources/get_value_interpolated/u/alice/cyc_a");
        Assert.Equal(400, r.Status);
        Assert.Contains("circular $res: reference: u/alice/cyc_a -> u/alice/cyc_b -> u/alice/cyc_a", r.Body);
    }

    [Fact]
    public async Task Missing_reference_is_404_and_hidden_reference_is_401()
    {
        await Res(_alice, "u/alice/dangling", new { x = "$var:u/alice/not_there" });
        var missing = await _alice.Get(W + "resources/get_value_interpolated/u/alice/dangling");
        Assert.Equal(404, missing.Status);
        Assert.Equal("Not found: Variable u/alice/not_there not found", missing.Body);

        await Var(_bob, "u/bob/private", "bob-only-secret", secret: true);
        await Res(_alice, "u/alice/peek", new { x = "$var:u/bob/private" });
        var hidden = await _alice.Get(W + "resources/get_value_interpolated/u/alice/peek");
        Assert.Equal(401, hidden.Status);
        Assert.DoesNotContain("bob-only-secret", hidden.Body);

        await Res(_bob, "u/bob/res", new { a = 1 });
        await Res(_alice, "u/alice/peek_res", new { x = "$res:u/bob/res" });
        Assert.Equal(401, (await _alice.Get(W + "resources/get_value_interpolated/u/alice/peek_res")).Status);
    }

    [Fact]
    public async Task Windmill_docs_shell_example_works_as_written()
    {
        var user = await _ws.AddUserAsync("user");
        await Var(user, "u/user/foo_password", "from-a-variable", secret: true);
        await Res(user, "u/user/foo", new { name = "foo", password = "$var:u/user/foo_password" });
        var script = """curl -s -H "Authorization: Bearer $WM_TOKEN" "$BASE_INTERNAL_URL/api/w/$WM_WORKSPACE/resources/get/u/user/foo" | jq -r .value""";
        await using var run = ChildProcess.Start("bash", ["-c", script], new Dictionary<string, string?>
        {
            ["WM_TOKEN"] = user.Token, ["BASE_INTERNAL_URL"] = services.BaseUrl, ["WM_WORKSPACE"] = _ws.Id,
        });
        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var printed = JsonNode.Parse(run.Output)!;
        Assert.Equal("foo", printed["name"]!.GetValue<string>());
        Assert.Equal("$var:u/user/foo_password", printed["password"]!.GetValue<string>());

        // and the interpolated form a job would use
        var interpolated = """curl -s -H "Authorization: Bearer $WM_TOKEN" "$BASE_INTERNAL_URL/api/w/$WM_WORKSPACE/resources/get_value_interpolated/u/user/foo" | jq -r .password""";
        await using var run2 = ChildProcess.Start("bash", ["-c", interpolated], new Dictionary<string, string?>
        {
            ["WM_TOKEN"] = user.Token, ["BASE_INTERNAL_URL"] = services.BaseUrl, ["WM_WORKSPACE"] = _ws.Id,
        });
        Assert.Equal(0, await run2.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("from-a-variable", run2.Output.Trim());
    }

    [Fact]
    public async Task List_hides_values_and_filters()
    {
        await Res(_alice, "u/alice/l_pg", new { host = "h", user = "u", dbname = "d" }, "postgresql");
        await Res(_alice, "u/alice/l_state", new { cursor = 7 });
        await Res(_alice, "u/alice/l_other", new { cursor = 8 });
        var all = await _alice.Get(W + "resources/list?path_start=u/alice/l_");
        Assert.Equal(3, all.Json!.AsArray().Count);
        Assert.All(all.Json!.AsArray(), r => Assert.Null(r!["value"]));
        Assert.Single((await _alice.Get(W + "resources/list?path_start=u/alice/l_&resource_type=postgresql")).Json!.AsArray());
        Assert.Single((await _alice.Get(W + "resources/list?path_start=u/alice/l_&resource_type_exclude=state")).Json!.AsArray());
        var byValue = await _alice.Get(W + "resources/list?path_start=u/alice/l_&value=" + Uri.EscapeDataString("""{"cursor":7}"""));
        Assert.Equal("u/alice/l_state", Assert.Single(byValue.Json!.AsArray())!["path"]!.GetValue<string>());
        var bobSees = await _bob.Get(W + "resources/list?path_start=u/alice/");
        Assert.Empty(bobSees.Json!.AsArray());
        var names = await _alice.Get(W + "resources/list_names/postgresql");
        Assert.Contains(names.Json!.AsArray(), n => n!["path"]!.GetValue<string>() == "u/alice/l_pg");
    }

    [Fact]
    public async Task Update_value_replaces_only_the_value()
    {
        await _alice.Post(W + "resources/create", new { path = "u/alice/uv", value = 1, resource_type = "state", description = "keep me" });
        var r = await _alice.Post(W + "resources/update_value/u/alice/uv", new { value = new { n = 2 } });
        Assert.Equal(200, r.Status);
        var get = await _alice.Get(W + "resources/get/u/alice/uv");
        Assert.Equal(2, get.Json!["value"]!["n"]!.GetValue<int>());
        Assert.Equal("keep me", get.Json!["description"]!.GetValue<string>());
        var nulled = await _alice.Post(W + "resources/update_value/u/alice/uv", new JsonObject { ["value"] = null });
        Assert.Equal(200, nulled.Status);
        Assert.Equal("null", (await _alice.Get(W + "resources/get_value/u/alice/uv")).Body);
        Assert.Equal(400, (await _alice.Post(W + "resources/update_value/u/alice/uv", new { })).Status);
    }

    [Fact]
    public async Task Rename_moves_the_linked_variable()
    {
        await Var(_alice, "u/alice/pair", "tok", secret: true);
        await Res(_alice, "u/alice/pair", new { token = "$var:u/alice/pair" }, "slack");
        var r = await _alice.Post(W + "resources/update/u/alice/pair", new { path = "u/alice/pair2", description = "moved" });
        Assert.Equal(200, r.Status);
        Assert.Equal("true", (await _alice.Get(W + "variables/exists/u/alice/pair2")).Body);
        Assert.Equal("tok", (await _alice.Get(W + "resources/get_value_interpolated/u/alice/pair2")).Json!["token"]!.GetValue<string>());
        Assert.Equal("false", (await _alice.Get(W + "resources/exists/u/alice/pair")).Body);
    }

    [Fact]
    public async Task Delete_removes_the_linked_variable_but_not_shared_ones()
    {
        await Var(_alice, "u/alice/shared_pw", "shared");
        await Var(_alice, "u/alice/del", "own");
        await Res(_alice, "u/alice/del", new { own = "$var:u/alice/del", shared = "$var:u/alice/shared_pw" });
        Assert.Equal(200, (await _alice.Delete(W + "resources/delete/u/alice/del")).Status);
        Assert.Equal("false", (await _alice.Get(W + "resources/exists/u/alice/del")).Body);
        Assert.Equal("false", (await _alice.Get(W + "variables/exists/u/alice/del")).Body);
        Assert.Equal("true", (await _alice.Get(W + "variables/exists/u/alice/shared_pw")).Body);
    }

    [Fact]
    public async Task Delete_bulk_returns_the_deleted_paths()
    {
        await Res(_alice, "u/alice/bulk1", 1);
        await Res(_alice, "u/alice/bulk2", 2);
        var r = await _alice.Delete(W + "resources/delete_bulk", new { paths = new[] { "u/alice/bulk1", "u/alice/bulk2", "u/alice/none" } });
        Assert.Equal("""["u/alice/bulk1","u/alice/bulk2"]""", r.Body);
    }

    [Fact]
    public async Task Values_are_checked_against_the_type_schema()
    {
        var bad = await _alice.Post(W + "resources/create", new { path = "u/alice/bad_s3", resource_type = "s3", value = new { bucket = 5, useSSL = "yes" } });
        Assert.Equal(400, bad.Status);
        Assert.Contains("/bucket:", bad.Body);
        Assert.Contains("/endPoint: is required", bad.Body);
        Assert.Contains("/region: is required", bad.Body);
        Assert.Contains("/useSSL:", bad.Body);
        Assert.Equal("false", (await _alice.Get(W + "resources/exists/u/alice/bad_s3")).Body);

        var refs = await _alice.Post(W + "resources/create", new
        {
            path = "u/alice/good_s3", resource_type = "s3",
            value = new { bucket = "b", region = "$var:u/alice/region", endPoint = "localhost:9000", secretKey = "$var:u/alice/sk" },
        });
        Assert.Equal(201, refs.Status);
        var badUpdate = await _alice.Post(W + "resources/update_value/u/alice/good_s3", new { value = new { bucket = "b" } });
        Assert.Equal(400, badUpdate.Status);
        Assert.Equal("b", (await _alice.Get(W + "resources/get_value/u/alice/good_s3")).Json!["bucket"]!.GetValue<string>());
        var badEdit = await _alice.Post(W + "resources/update/u/alice/good_s3", new { value = new { bucket = "b", region = "r", endPoint = 9 } });
        Assert.Equal(400, badEdit.Status);

        // no type row, or no schema: any JSON is stored as given
        Assert.Equal(201, (await _alice.Post(W + "resources/create", new { path = "u/alice/anything", resource_type = "state", value = new[] { 1, 2 } })).Status);
        Assert.Equal(201, (await _alice.Post(W + "resources/create", new { path = "u/alice/untyped", resource_type = "not_a_type", value = "x" })).Status);
    }

    [Fact]
    public async Task Global_catalogue_is_seeded_with_the_s3_schema_of_the_spec()
    {
        var names = (await _alice.Get(W + "resources/type/listnames")).Json!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        foreach (var t in new[] { "s3", "postgresql", "mysql", "mongodb", "redis", "smtp", "openai", "slack", "http_bearer" })
            Assert.Contains(t, names);
        var s3 = (await _alice.Get(W + "resources/type/get/s3")).Json!;
        Assert.Equal("admins", s3["workspace_id"]!.GetValue<string>());
        var schema = s3["schema"]!;
        Assert.Equal(["bucket", "region", "endPoint"], schema["required"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.False(schema["properties"]!["useSSL"]!["default"]!.GetValue<bool>());
        Assert.False(schema["properties"]!["pathStyle"]!["default"]!.GetValue<bool>());
        Assert.Equal("boolean", schema["properties"]!["pathStyle"]!["type"]!.GetValue<string>());
        Assert.NotNull(schema["properties"]!["accessKey"]);
        Assert.NotNull(schema["properties"]!["secretKey"]);
    }

    [Fact]
    public async Task Workspace_types_create_get_update_and_admin_delete()
    {
        var schema = new { type = "object", properties = new { url = new { type = "string" } }, required = new[] { "url" } };
        var c = await _alice.Post(W + "resources/type/create", new { name = "webhook_target", schema, description = "d" });
        Assert.Equal(201, c.Status);
        Assert.Equal(400, (await _alice.Post(W + "resources/type/create", new { name = "webhook_target", schema })).Status);
        Assert.Equal(400, (await _alice.Post(W + "resources/type/create", new { name = "s3", schema })).Status);
        Assert.Equal(400, (await _alice.Post(W + "resources/type/create", new { name = "bad name", schema })).Status);
        Assert.Equal("true", (await _alice.Get(W + "resources/type/exists/webhook_target")).Body);
        var list = await _alice.Get(W + "resources/type/list");
        Assert.Contains(list.Json!.AsArray(), t => t!["name"]!.GetValue<string>() == "webhook_target" && t["workspace_id"]!.GetValue<string>() == _ws.Id);
        Assert.Contains(list.Json!.AsArray(), t => t!["name"]!.GetValue<string>() == "s3");

        Assert.Equal(400, (await _alice.Post(W + "resources/create", new { path = "u/alice/wh", resource_type = "webhook_target", value = new { } })).Status);
        Assert.Equal(200, (await _alice.Post(W + "resources/type/update/webhook_target", new { schema = new { type = "object" } })).Status);
        Assert.Equal(201, (await _alice.Post(W + "resources/create", new { path = "u/alice/wh", resource_type = "webhook_target", value = new { } })).Status);
        Assert.Equal(403, (await _alice.Post(W + "resources/type/update/s3", new { description = "hijack" })).Status);

        Assert.Equal(403, (await _alice.Delete(W + "resources/type/delete/webhook_target")).Status);
        Assert.Equal(200, (await _ws.Superadmin.Delete(W + "resources/type/delete/webhook_target")).Status);
        Assert.Equal(404, (await _alice.Get(W + "resources/type/get/webhook_target")).Status);
    }

    [Fact]
    public async Task File_extension_map_lists_typed_file_resources()
    {
        await _alice.Post(W + "resources/type/create", new { name = "csv_file", schema = new { type = "object" }, format_extension = "csv" });
        var map = await _alice.Get(W + "resources/file_resource_type_to_file_ext_map");
        Assert.Equal("csv", map.Json!["csv_file"]!["format_extension"]!.GetValue<string>());
    }
}
