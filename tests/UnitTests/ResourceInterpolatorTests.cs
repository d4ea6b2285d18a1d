using System.Text.Json.Nodes;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.UnitTests;

public class ResourceInterpolatorTests
{
    /// <summary>An in-memory reference source; records reads so tests can see batching.</summary>
    private sealed class Source : IReferenceSource
    {
        public Dictionary<string, string> Variables { get; } = new();
        public Dictionary<string, string?> Resources { get; } = new();
        public HashSet<string> Hidden { get; } = new();
        public List<(int Vars, int Res)> Prefetches { get; } = new();
        public IReadOnlyDictionary<string, string>? ReservedVariables { get; set; }

        public ValueTask<IReadOnlyDictionary<string, string>?> ReservedVariablesAsync(CancellationToken ct) => ValueTask.FromResult(ReservedVariables);

        public ValueTask PrefetchAsync(IReadOnlyCollection<string> v, IReadOnlyCollection<string> r, CancellationToken ct)
        {
            Prefetches.Add((v.Count, r.Count));
            return ValueTask.CompletedTask;
        }

        public ValueTask<string> GetVariableAsync(string path, CancellationToken ct)
        {
            if (Hidden.Contains(path)) throw WindmillError.NotAuthorized($"Variable exists but you don't have access to it: {path}");
            return Variables.TryGetValue(path, out var v) ? ValueTask.FromResult(v) : throw WindmillError.NotFound($"Variable {path} not found");
        }

        public ValueTask<JsonNode?> GetResourceValueAsync(string path, CancellationToken ct) =>
            Resources.TryGetValue(path, out var r)
                ? ValueTask.FromResult(r is null ? null : JsonNode.Parse(r))
                : throw WindmillError.NotFound($"Resource {path} not found");
    }

    private static async Task<string> Interpolate(string json, Source s, string? path = null) =>
        (await ResourceInterpolator.InterpolateAsync(JsonNode.Parse(json), s, path))?.ToJsonString() ?? "null";

    [Fact]
    public async Task Replaces_var_references_with_their_values()
    {
        var s = new Source { Variables = { ["u/a/host"] = "db.local", ["u/a/pw"] = "s3cret" } };
        Assert.Equal("""{"host":"db.local","password":"s3cret","port":5432}""",
            await Interpolate("""{"host":"$var:u/a/host","password":"$var:u/a/pw","port":5432}""", s));
    }

    [Fact]
    public async Task Uppercase_VAR_is_an_alias()
    {
        var s = new Source { Variables = { ["u/a/x"] = "1" } };
        Assert.Equal("""{"k":"1"}""", await Interpolate("""{"k":"$VAR:u/a/x"}""", s));
    }

    [Fact]
    public async Task Jsonvar_puts_the_parsed_json_in_place()
    {
        var s = new Source { Variables = { ["u/a/j"] = """{"n":[1,2]}""" } };
        Assert.Equal("""{"k":{"n":[1,2]}}""", await Interpolate("""{"k":"$jsonvar:u/a/j"}""", s));
    }

    [Fact]
    public async Task Nested_res_is_replaced_and_interpolated_recursively()
    {
        var s = new Source
        {
            Variables = { ["u/a/pw"] = "pw" },
            Resources = { ["u/a/inner"] = """{"password":"$var:u/a/pw"}""" },
        };
        Assert.Equal("""{"db":{"password":"pw"}}""", await Interpolate("""{"db":"$res:u/a/inner"}""", s));
    }

    [Fact]
    public async Task Res_with_null_value_becomes_null()
    {
        var s = new Source { Resources = { ["u/a/n"] = null } };
        Assert.Equal("""{"k":null}""", await Interpolate("""{"k":"$res:u/a/n"}""", s));
    }

    [Theory]
    [InlineData("prefix $var:u/a/x")]      // prefix match on the whole string only
    [InlineData("$something")]
    [InlineData("$5.00")]
    [InlineData("var://u/a/x")]
    public async Task Other_strings_are_left_unchanged(string s) =>
        Assert.Equal(new JsonObject { ["k"] = s }.ToJsonString(), await Interpolate(new JsonObject { ["k"] = s }.ToJsonString(), new Source()));

    [Fact]
    public async Task Suffix_is_part_of_the_variable_path()
    {
        var s = new Source { Variables = { ["u/a/x/suffix"] = "whole" } };
        Assert.Equal("""{"k":"whole"}""", await Interpolate("""{"k":"$var:u/a/x/suffix"}""", s));
    }

    [Fact]
    public async Task Arrays_are_walked_up_to_depth_two()
    {
        var s = new Source { Variables = { ["u/a/x"] = "X" } };
        // array at depth 1 (inside the top object): walked
        Assert.Equal("""{"l":["X",1]}""", await Interpolate("""{"l":["$var:u/a/x",1]}""", s));
        // top-level array (depth 0): walked
        Assert.Equal("""["X"]""", await Interpolate("""["$var:u/a/x"]""", s));
        // array at depth 3: left as is
        Assert.Equal("""{"a":{"b":{"c":["$var:u/a/x"]}}}""", await Interpolate("""{"a":{"b":{"c":["$var:u/a/x"]}}}""", s));
    }

    [Fact]
    public async Task Arrays_over_1000_items_are_left_as_is()
    {
        var s = new Source { Variables = { ["u/a/x"] = "X" } };
        var big = new JsonArray(Enumerable.Range(0, 1001).Select(_ => (JsonNode)JsonValue.Create("$var:u/a/x")).ToArray());
        var result = await ResourceInterpolator.InterpolateAsync(new JsonObject { ["l"] = big }, s);
        Assert.Equal("$var:u/a/x", result!["l"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Numbers_bools_and_null_pass_through() =>
        Assert.Equal("""{"a":1.5,"b":true,"c":null}""", await Interpolate("""{"a":1.5,"b":true,"c":null}""", new Source()));

    [Fact]
    public async Task Missing_variable_fails_the_whole_read_with_404()
    {
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("""{"k":"$var:u/a/missing"}""", new Source()));
        Assert.Equal(404, e.StatusCode);
        Assert.Contains("u/a/missing", e.Message);
    }

    [Fact]
    public async Task Hidden_variable_fails_with_401()
    {
        var s = new Source { Variables = { ["u/b/x"] = "secret" }, Hidden = { "u/b/x" } };
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("""{"k":"$var:u/b/x"}""", s));
        Assert.Equal(401, e.StatusCode);
        Assert.DoesNotContain("secret", e.Message.Replace("Variable exists", ""));
    }

    [Fact]
    public async Task Missing_resource_fails_with_404()
    {
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("""{"k":"$res:u/a/none"}""", new Source()));
        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public async Task Invalid_res_path_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("""{"k":"$res:nope"}""", new Source()));
        Assert.Contains("Invalid resource path: nope", e.Message);
    }

    [Fact]
    public async Task Res_cycle_is_reported_with_its_chain_instead_of_hanging()
    {
        var s = new Source { Resources = { ["u/a/A"] = "\"$res:u/a/B\"", ["u/a/B"] = """{"x":"$res:u/a/A"}""" } };
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("\"$res:u/a/B\"", s, "u/a/A"));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("circular $res: reference: u/a/A -> u/a/B -> u/a/A", e.Message);
    }

    [Fact]
    public async Task Self_reference_without_a_root_path_is_still_caught()
    {
        var s = new Source { Resources = { ["u/a/A"] = """{"me":"$res:u/a/A"}""" } };
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate("\"$res:u/a/A\"", s));
        Assert.Contains("circular", e.Message);
    }

    [Fact]
    public async Task The_same_resource_twice_side_by_side_is_not_a_cycle()
    {
        var s = new Source { Resources = { ["u/a/A"] = "1" } };
        Assert.Equal("""{"x":1,"y":1}""", await Interpolate("""{"x":"$res:u/a/A","y":"$res:u/a/A"}""", s));
    }

    [Fact]
    public async Task Deeper_than_fifty_levels_is_an_error()
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", 60)) + "1" + new string('}', 60);
        var e = await Assert.ThrowsAsync<WindmillError>(() => Interpolate(json, new Source()));
        Assert.Contains("depth", e.Message);
    }

    [Fact]
    public async Task Reserved_names_resolve_only_with_a_job_context()
    {
        Assert.Equal("""{"k":"$WM_JOB_ID"}""", await Interpolate("""{"k":"$WM_JOB_ID"}""", new Source()));
        var withJob = new Source { ReservedVariables = new Dictionary<string, string> { ["WM_JOB_ID"] = "j1" } };
        Assert.Equal("""{"k":"j1","u":"$WM_NOPE"}""", await Interpolate("""{"k":"$WM_JOB_ID","u":"$WM_NOPE"}""", withJob));
    }

    [Fact]
    public async Task One_prefetch_per_nesting_level()
    {
        var s = new Source
        {
            Variables = { ["u/a/1"] = "1", ["u/a/2"] = "2", ["u/a/3"] = "3" },
            Resources = { ["u/a/inner"] = """{"x":"$var:u/a/3"}""" },
        };
        await Interpolate("""{"a":"$var:u/a/1","b":"$var:u/a/2","c":"$var:u/a/3","d":"$res:u/a/inner"}""", s);
        Assert.Equal([(3, 1), (1, 0)], s.Prefetches);
    }

    [Fact]
    public async Task Input_value_is_not_modified()
    {
        var s = new Source { Variables = { ["u/a/x"] = "X" } };
        var input = JsonNode.Parse("""{"k":"$var:u/a/x"}""");
        await ResourceInterpolator.InterpolateAsync(input, s);
        Assert.Equal("""{"k":"$var:u/a/x"}""", input!.ToJsonString());
    }
}
