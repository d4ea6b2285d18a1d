namespace Windmill.Jobs.IntegrationTests;

/// <summary>Bad input gets the right status and a message naming what is wrong; nothing is half-written.</summary>
[Collection(ServicesCollection.Name)]
public sealed class BadInputTests(ServicesFixture services) : IAsyncLifetime
{
    private TestWorkspace _ws = null!;
    private ApiClient _alice = null!;

    public async Task InitializeAsync()
    {
        _ws = await TestWorkspace.CreateAsync(services, "bad");
        _alice = await _ws.AddUserAsync("alice");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var r = await _alice.PostRaw(_ws.W + "variables/create", """{"path": "u/alice/x", "value": """);
        Assert.Equal(400, r.Status);
        Assert.StartsWith("Bad request: invalid JSON body", r.Body);
        Assert.StartsWith("text/plain", r.ContentType);
    }

    [Fact]
    public async Task Field_of_the_wrong_type_is_400_naming_the_field()
    {
        var r = await _alice.PostRaw(_ws.W + "variables/create", """{"path":"u/alice/x","value":"v","is_secret":"yes"}""");
        Assert.Equal(400, r.Status);
        Assert.Contains("$.is_secret", r.Body);
        var r2 = await _alice.PostRaw(_ws.W + "resources/create", """{"path":"u/alice/x","value":1,"resource_type":7}""");
        Assert.Equal(400, r2.Status);
        Assert.Contains("$.resource_type", r2.Body);
    }

    [Fact]
    public async Task Missing_required_field_is_named()
    {
        var r = await _alice.PostRaw(_ws.W + "resources/create", """{"path":"u/alice/x","value":1}""");
        Assert.Equal(400, r.Status);
        Assert.Contains("resource_type", r.Body);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored_as_windmill_does()
    {
        var r = await _alice.PostRaw(_ws.W + "variables/create", """{"path":"u/alice/extra","value":"v","is_secret":false,"color":"blue"}""");
        Assert.Equal(201, r.Status);
    }

    [Theory]
    [InlineData("u/alice")]
    [InlineData("x/alice/v")]
    [InlineData("u/alice/has space")]
    [InlineData("u/alice/trailing/")]
    public async Task Invalid_path_is_400_naming_it(string path)
    {
        var v = await _alice.Post(_ws.W + "variables/create", new { path, value = "1", is_secret = false });
        Assert.Equal(400, v.Status);
        Assert.Contains($"'{path}'", v.Body);
        var r = await _alice.Post(_ws.W + "resources/create", new { path, value = 1, resource_type = "state" });
        Assert.Equal(400, r.Status);
        Assert.Contains($"'{path}'", r.Body);
    }

    [Fact]
    public async Task Invalid_resource_type_name_is_400()
    {
        var r = await _alice.Post(_ws.W + "resources/create", new { path = "u/alice/t", value = 1, resource_type = "no spaces" });
        Assert.Equal(400, r.Status);
        Assert.Contains("resource_type", r.Body);
    }

    [Fact]
    public async Task Oversized_resource_value_is_400_and_not_stored()
    {
        var r = await _alice.Post(_ws.W + "resources/create", new { path = "u/alice/huge", value = new string('x', 1_100_000), resource_type = "state" });
        Assert.Equal(400, r.Status);
        Assert.Contains("u/alice/huge", r.Body);
        Assert.Contains("1048576", r.Body);
        Assert.Equal("false", (await _alice.Get(_ws.W + "resources/exists/u/alice/huge")).Body);
    }

    [Fact]
    public async Task Body_over_the_request_limit_is_413()
    {
        // Expect: 100-continue lets the client hear the 413 before uploading 17 MiB, as curl does.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{services.BaseUrl}/api/{_ws.W}resources/create")
        {
            Content = new StringContent("{\"path\":\"u/alice/h\",\"resource_type\":\"state\",\"value\":\"" + new string('x', 17 << 20) + "\"}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", _alice.Token);
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.StartsWith("Payload too large", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Failed_rename_leaves_both_objects_as_they_were()
    {
        await _alice.Post(_ws.W + "variables/create", new { path = "u/alice/r1", value = "one", is_secret = false });
        await _alice.Post(_ws.W + "variables/create", new { path = "u/alice/r2", value = "two", is_secret = false });
        var r = await _alice.Post(_ws.W + "variables/update/u/alice/r1", new { path = "u/alice/r2", value = "changed" });
        Assert.Equal(400, r.Status);
        Assert.Equal("\"one\"", (await _alice.Get(_ws.W + "variables/get_value/u/alice/r1")).Body);
        Assert.Equal("\"two\"", (await _alice.Get(_ws.W + "variables/get_value/u/alice/r2")).Body);
    }

    [Fact]
    public async Task Unknown_route_is_a_plain_404()
    {
        var r = await _alice.Get("w/" + _ws.Id + "/nothing/here");
        Assert.Equal(404, r.Status);
        Assert.StartsWith("Not found", r.Body);
    }
}
