using System.Diagnostics;
using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// "Watching changes regularly" (spec 4.4), end to end: a scheduled flow reads its cursor from its state,
/// fetches the rows of a PostgreSQL table, keeps the new ones, processes each in a for-loop, and only then
/// moves the cursor. Across ticks every row is processed exactly once, also when a worker is killed mid-tick.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class TriggerScriptTests(ServicesFixture services)
{
    private async Task ExecAsync(string sql)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static object Static(object value) => new { type = "static", value };
    private static object Js(string expr) => new { type = "javascript", expr };

    [Fact]
    public async Task A_scheduled_watcher_flow_processes_every_new_row_once_even_when_a_worker_dies()
    {
        var ws = await TestWorkspace.CreateAsync(services, "watch");
        var alice = await ws.AddUserAsync("alice");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (items, processed) = ($"items_{suffix}", $"processed_{suffix}");
        await ExecAsync($"CREATE TABLE {items} (id int PRIMARY KEY, name text); CREATE TABLE {processed} (item_id int PRIMARY KEY, name text)");
        var url = new Uri(services.DatabaseUrl);
        await alice.Post(ws.W + "resources/create", new
        {
            path = "u/alice/source", resource_type = "postgresql",
            value = new { host = url.Host, port = url.Port, user = "postgres", dbname = "windmill", sslmode = "disable" },
        });
        var tag = "w" + suffix;
        object Step(string id, string language, string content, object inputs) => FlowSteps.RawScript(id, language, content, tag, inputs);
        var value = new
        {
            modules = new object[]
            {
                Step("fetch", "postgresql", $"SELECT id, name FROM {items} ORDER BY id;", new { database = Static("$res:u/alice/source") }),
                new
                {
                    id = "new", stop_after_if = new { expr = "result.items.length == 0" },
                    value = new
                    {
                        type = "rawscript", language = "python3", tag,
                        content = "import os, wmill\ndef main(rows):\n    cursor = wmill.get_state() or 0\n    new = [r for r in rows if r['id'] > cursor]\n" +
                                  "    return {'items': new, 'cursor': max([r['id'] for r in new], default=cursor), 'state_path': os.environ['WM_STATE_PATH']}\n",
                        input_transforms = new { rows = Js("results.fetch") },
                    },
                },
                new
                {
                    id = "each",
                    value = new
                    {
                        type = "forloopflow", iterator = Js("results.new.items"), parallel = false, skip_failures = false,
                        modules = new object[]
                        {
                            // Idempotent per row, so a body restarted after its worker died writes its row once.
                            Step("process", "postgresql",
                                $"-- $1 item_id (int)\n-- $2 name\nSELECT pg_sleep(0.2);\nINSERT INTO {processed} VALUES ($1, $2) ON CONFLICT (item_id) DO NOTHING;",
                                new { database = Static("$res:u/alice/source"), item_id = Js("flow_input.iter.value.id"), name = Js("flow_input.iter.value.name") }),
                        },
                    },
                },
                // The cursor moves only once every new row is processed: a tick cut short runs its rows again.
                Step("commit", "python3", "import wmill\ndef main(cursor, state_path):\n    wmill.set_resource(cursor, state_path, 'state')\n    return cursor\n",
                    new { cursor = Js("results.new.cursor"), state_path = Js("results.new.state_path") }),
            },
        };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/watcher", summary = "", value, tag })).Status);
        var victim = await services.StartWorkerAsync(tag, name: "victim-" + tag);
        await ExecAsync($"INSERT INTO {items} SELECT g, 'item ' || g FROM generate_series(1, 6) g");
        Assert.Equal(201, (await alice.Post(ws.W + "schedules/create", new
        {
            path = "u/alice/watch_items", schedule = "*/2 * * * * *", timezone = "UTC", script_path = "u/alice/watcher", is_flow = true,
            args = new { }, no_flow_overlap = true,
        })).Status);

        // Kill the worker in the middle of processing the first batch.
        for (var i = 0; i < 300 && await ScalarAsync($"SELECT count(*) FROM {processed}") < 2; i++) await Task.Delay(100);
        Process.GetProcessById(victim.Id).Kill();
        await victim.DisposeAsync();
        Assert.InRange(await ScalarAsync($"SELECT count(*) FROM {processed}"), 2, 5); // killed mid-batch
        await using var rescuer = await services.StartWorkerAsync(tag, name: "rescuer-" + tag);

        await ExecAsync($"INSERT INTO {items} SELECT g, 'item ' || g FROM generate_series(7, 9) g");
        for (var i = 0; i < 600 && await ScalarAsync($"SELECT count(*) FROM {processed}") < 9; i++) await Task.Delay(100);
        // A few more ticks with nothing new: nothing is processed again.
        await Task.Delay(4000);
        Assert.Equal(200, (await alice.Post(ws.W + "schedules/setenabled/u/alice/watch_items", new { enabled = false })).Status);

        Assert.Equal(9, await ScalarAsync($"SELECT count(*) FROM {processed}"));
        Assert.Equal(9, await ScalarAsync($"SELECT count(*) FROM {processed} p JOIN {items} i ON i.id = p.item_id AND i.name = p.name"));
        // No row was processed to completion twice: one successful body job per row.
        Assert.Equal(0, await ScalarAsync($"""
            SELECT count(*) FROM (
                SELECT j.args->>'item_id' FROM v2_job j JOIN v2_job_completed c ON c.id = j.id
                WHERE j.workspace_id = '{ws.Id}' AND j.flow_step_id = 'process' AND c.status = 'success'
                GROUP BY 1 HAVING count(*) > 1) twice
            """));
    }
}
