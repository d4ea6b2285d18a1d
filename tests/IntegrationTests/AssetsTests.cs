using System.Text.Json.Nodes;
using static Windmill.Jobs.IntegrationTests.Infrastructure.TestAssets;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Static assets (spec 9.1 to 9.4, 9.6): detected on deploy, listed with their usages, chosen by hand, followed as lineage.</summary>
[Collection(ServicesCollection.Name)]
public sealed class AssetsTests(ServicesFixture services)
{
    [Fact]
    public async Task Deploys_store_detected_assets_and_redeploys_replace_them()
    {
        var ws = await TestWorkspace.CreateAsync(services, "assets");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/etl", "duckdb", """
            -- COPY x TO 's3:///commented.parquet'
            COPY (SELECT * FROM read_csv('s3:///raw/events.csv')) TO 's3://archive/daily.parquet' (FORMAT parquet);
            """);
        await alice.DeployAsync(ws, "u/alice/py", "python3", "import wmill\ndef main():\n    db = wmill.get_resource('u/alice/pg')\n    return wmill.load_s3_file('s3:///raw/events.csv')\n");

        var byUsage = await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "script", path = "u/alice/etl" }, new { kind = "script", path = "u/alice/py" } } });
        Assert.True(byUsage.Status == 200, byUsage.ToString());
        Assert.Equal("s3object:/raw/events.csv:r | s3object:archive/daily.parquet:w", Show(byUsage.Json![0]));
        Assert.Equal("s3object:/raw/events.csv:r | resource:u/alice/pg:?", Show(byUsage.Json![1]));

        var list = (await alice.Get(ws.W + "assets/list")).Json!;
        var events = list["assets"]!.AsArray().Single(a => a!["path"]!.GetValue<string>() == "/raw/events.csv");
        Assert.Equal("s3object", events!["kind"]!.GetValue<string>());
        Assert.Equal(new[] { "u/alice/etl", "u/alice/py" }, events["usages"]!.AsArray().Select(u => u!["path"]!.GetValue<string>()).Order());
        Assert.All(events["usages"]!.AsArray(), u => Assert.Equal("script", u!["kind"]!.GetValue<string>()));
        Assert.Null(list["next_cursor"]);

        // A new version that no longer reads the CSV: its usage goes, the other script's stays.
        await alice.DeployAsync(ws, "u/alice/etl", "duckdb", "COPY (SELECT 1 AS x) TO 's3://archive/daily.parquet' (FORMAT parquet);",
            new { parent_hash = (await alice.Get(ws.W + "scripts/get/p/u/alice/etl")).Json!["hash"]!.GetValue<string>() });
        var after = (await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "script", path = "u/alice/etl" } } })).Json!;
        Assert.Equal("s3object:archive/daily.parquet:w", Show(after[0]));
        var filteredReply = await alice.Get(ws.W + "assets/list?asset_path=EVENTS&asset_kinds=s3object");
        Assert.True(filteredReply.Status == 200, filteredReply.ToString());
        var filtered = filteredReply.Json!["assets"]!.AsArray();
        Assert.Equal("u/alice/py", Assert.Single(Assert.Single(filtered)!["usages"]!.AsArray())!["path"]!.GetValue<string>());

        // Deleting the script forgets its usages.
        Assert.Equal(200, (await alice.Delete(ws.W + "scripts/delete/p/u/alice/etl")).Status);
        Assert.Equal("[[]]", (await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "script", path = "u/alice/etl" } } })).Json!.ToJsonString());
    }

    [Fact]
    public async Task A_hand_set_access_survives_redeploys_while_the_asset_is_still_detected()
    {
        var ws = await TestWorkspace.CreateAsync(services, "assets");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        const string reads = "import wmill\ndef main():\n    return wmill.get_resource('u/alice/db')\n";
        await alice.DeployAsync(ws, "u/alice/job", "python3", reads);
        object Choice(string? access) => new { kind = "resource", path = "u/alice/db", usage_kind = "script", usage_path = "u/alice/job", access_type = access };
        Assert.Equal(401, (await bob.Post(ws.W + "assets/update_usage_access", Choice("r"))).Status); // bob cannot even read the script
        Assert.Equal(200, (await alice.Post(ws.W + "assets/update_usage_access", Choice("r"))).Status);
        async Task<string> Current() =>
            Show((await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "script", path = "u/alice/job" } } })).Json![0]);
        Assert.Equal("resource:u/alice/db:r", await Current());

        async Task Redeploy(string code) => await alice.DeployAsync(ws, "u/alice/job", "python3", code,
            new { parent_hash = (await alice.Get(ws.W + "scripts/get/p/u/alice/job")).Json!["hash"]!.GetValue<string>() });
        await Redeploy(reads + "# a comment\n");
        Assert.Equal("resource:u/alice/db:r", await Current()); // still detected: the choice stays
        await Redeploy("def main():\n    return 1\n");
        Assert.Equal("", await Current());
        await Redeploy(reads);
        Assert.Equal("resource:u/alice/db:?", await Current()); // detected again, but the old choice went with it

        // Bad input is named.
        var tooLong = await alice.Post(ws.W + "assets/update_usage_access", new { kind = "resource", path = new string('a', 1025), usage_kind = "script", usage_path = "u/alice/job", access_type = "r" });
        Assert.Equal(400, tooLong.Status);
        Assert.Contains("path is 1025 characters long", tooLong.Body);
        var control = await alice.Post(ws.W + "assets/update_usage_access", new { kind = "resource", path = "u/alice/\u0001db", usage_kind = "script", usage_path = "u/alice/job", access_type = "r" });
        Assert.Equal(400, control.Status);
        Assert.Contains("control characters", control.Body);
        Assert.Contains("kind must be one of", (await alice.Post(ws.W + "assets/update_usage_access", new { kind = "table", path = "x", usage_kind = "script", usage_path = "u/alice/job" })).Body);
        Assert.Contains("access_type must be", (await alice.Post(ws.W + "assets/update_usage_access", Choice("read"))).Body);
        var unknown = await alice.Post(ws.W + "assets/update_usage_access", new { kind = "resource", path = "u/alice/other", usage_kind = "script", usage_path = "u/alice/job", access_type = "r" });
        Assert.Equal(404, unknown.Status);
        Assert.Contains("no detected usage of resource u/alice/other", unknown.Body);
    }

    [Fact]
    public async Task An_unparsable_script_deploys_with_the_assets_found_and_a_warning()
    {
        var ws = await TestWorkspace.CreateAsync(services, "assets");
        var alice = await ws.AddUserAsync("alice");
        var r = await alice.Post(ws.W + "scripts/create", new
        {
            path = "u/alice/broken", language = "python3", summary = "", description = "",
            content = "import wmill\ndef main(:\n    wmill.write_s3_file('s3:///out.txt', b'x')\n    return [\n",
        });
        Assert.Equal(201, r.Status);
        Assert.Contains("could not be parsed whole", r.Warning);
        var found = (await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "script", path = "u/alice/broken" } } })).Json!;
        Assert.Equal("s3object:/out.txt:w", Show(found[0]));
        Assert.Null((await alice.Post(ws.W + "scripts/create", new { path = "u/alice/fine", language = "bash", content = "echo hi", summary = "", description = "" })).Warning);
    }

    [Fact]
    public async Task Flows_collect_their_steps_assets_and_lineage_follows_data_from_raw_file_to_dashboard()
    {
        var ws = await TestWorkspace.CreateAsync(services, "assets");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        // ingest writes raw.csv; the flow's duckdb step turns it into daily.parquet; the dashboard script reads that.
        await alice.DeployAsync(ws, "u/alice/ingest", "python3", "import wmill\ndef main():\n    wmill.write_s3_file('s3:///raw.csv', 'a\\n1\\n')\n");
        await alice.DeployAsync(ws, "u/alice/dashboard", "bun",
            "import * as wmill from 'windmill-client'\nexport async function main() { return await wmill.loadS3File('s3:///daily.parquet') }");
        var value = new
        {
            modules = new object[]
            {
                new { id = "a", value = new { type = "script", path = "u/alice/ingest", input_transforms = new { } } },
                new
                {
                    id = "b", value = new
                    {
                        type = "forloopflow", iterator = new { type = "javascript", expr = "[1]" }, skip_failures = false,
                        modules = new object[]
                        {
                            new { id = "c", value = new { type = "rawscript", language = "duckdb", input_transforms = new { },
                                content = "COPY (SELECT * FROM read_csv('s3:///raw.csv')) TO 's3:///daily.parquet' (FORMAT parquet);" } },
                        },
                    },
                },
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/pipeline", summary = "", value })).Status);

        var flow = (await alice.Get(ws.W + "flows/get/u/alice/pipeline")).Json!;
        Assert.Equal("s3object:/raw.csv:w", Show(flow["assets_by_module"]!["a"])); // the script step's stored assets
        Assert.Equal("s3object:/daily.parquet:w | s3object:/raw.csv:r", Show(flow["assets_by_module"]!["c"]));
        var flowAssets = (await alice.Post(ws.W + "assets/list_by_usages", new { usages = new[] { new { kind = "flow", path = "u/alice/pipeline" } } })).Json!;
        Assert.Equal("s3object:/daily.parquet:w | s3object:/raw.csv:r", Show(flowAssets[0])); // inline steps only

        var lineage = (await alice.Get(ws.W + "assets/lineage?kind=s3object&path=/daily.parquet")).Json!;
        string Nodes(string side) => string.Join(" | ", lineage[side]!.AsArray().Select(n => $"{n!["depth"]}:{n["kind"]}:{n["path"]}"));
        Assert.Equal("1:flow:u/alice/pipeline | 2:script:u/alice/ingest", Nodes("upstream"));
        Assert.Equal("1:script:u/alice/dashboard", Nodes("downstream"));
        var shallow = (await alice.Get(ws.W + "assets/lineage?kind=s3object&path=/daily.parquet&depth=1")).Json!;
        Assert.Single(shallow["upstream"]!.AsArray());
        // bob cannot read alice's runnables: he sees no usage of them.
        Assert.Equal("[]", (await bob.Get(ws.W + "assets/lineage?kind=s3object&path=/daily.parquet")).Json!["upstream"]!.ToJsonString());
        Assert.Equal(400, (await alice.Get(ws.W + "assets/lineage?kind=nope&path=x")).Status);

        // Paging: one asset per page, following the cursor, sees every asset once.
        var seen = new List<string>();
        var url = ws.W + "assets/list?per_page=1";
        for (var guard = 0; guard < 10; guard++)
        {
            var page = (await alice.Get(url)).Json!;
            seen.AddRange(page["assets"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()));
            if (page["next_cursor"] is not JsonObject next) break;
            url = ws.W + $"assets/list?per_page=1&cursor_created_at={Uri.EscapeDataString(next["created_at"]!.GetValue<string>())}&cursor_id={next["id"]}";
        }
        Assert.Equal(new[] { "/daily.parquet", "/raw.csv" }, seen.Order());
    }
}
