using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Flows (spec 7): deploy-time checks, step results passed by expressions, loops, branches, failures.</summary>
[Collection(ServicesCollection.Name)]
public sealed class FlowsTests(ServicesFixture services)
{
    private static object Py(string id, string code, object? inputs = null) => FlowSteps.RawScript(id, "python3", code, inputs: inputs);

    private static object Js(string expr) => new { type = "javascript", expr };

    private static async Task<Reply> RunAsync(ApiClient who, TestWorkspace ws, object value, object? args = null) =>
        await who.Post(ws.W + "jobs/run_wait_result/f/" + await DeployFlowAsync(who, ws, value), args ?? new { });

    private static async Task<string> DeployFlowAsync(ApiClient who, TestWorkspace ws, object value)
    {
        var path = "u/alice/flow_" + Guid.NewGuid().ToString("N")[..8];
        var r = await who.Post(ws.W + "flows/create", new { path, summary = "", value });
        Assert.True(r.Status == 201, r.ToString());
        return path;
    }

    [Fact]
    public async Task Steps_pass_results_through_expressions_and_the_last_result_is_the_flows()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                Py("a", "def main(x):\n    return x * 2\n", new { x = Js("flow_input.n + 1") }),
                new { id = "b", value = new { type = "rawscript", language = "bash", content = "v=\"$1\"\necho \"[$v]\"",
                    input_transforms = new { v = Js("`${results.a}-${previous_result}`") } } },
                Py("c", "def main(s, a):\n    return {'s': s, 'a': a}\n", new { s = Js("previous_result"), a = Js("results.a") }),
            },
        }, new { n = 4 });
        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("[10-10]", r.Json!["s"]!.GetValue<string>());
        Assert.Equal(10, r.Json!["a"]!.GetValue<int>());
    }

    [Fact]
    public async Task Steps_see_the_flow_context_in_their_environment()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var path = await DeployFlowAsync(alice, ws, new
        {
            modules = new object[]
            {
                Py("first", "import os\ndef main():\n    return {k: os.environ.get(k) for k in ['WM_FLOW_JOB_ID', 'WM_ROOT_FLOW_JOB_ID', 'WM_FLOW_PATH', 'WM_FLOW_STEP_ID', 'WM_STATE_PATH']}\n"),
            },
        });
        var id = await alice.Post(ws.W + "jobs/run/f/" + path, new { });
        var flowId = id.Body.Trim('"');
        var job = await alice.WaitAsync(ws, Guid.Parse(flowId));
        var env = job["result"]!;
        Assert.Equal(flowId, env["WM_FLOW_JOB_ID"]!.GetValue<string>());
        Assert.Equal(flowId, env["WM_ROOT_FLOW_JOB_ID"]!.GetValue<string>());
        Assert.Equal(path, env["WM_FLOW_PATH"]!.GetValue<string>());
        Assert.Equal("first", env["WM_FLOW_STEP_ID"]!.GetValue<string>());
        Assert.Equal($"{path}/first_user", env["WM_STATE_PATH"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_parallel_for_loop_returns_its_results_in_index_order()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new
                {
                    id = "loop",
                    value = new
                    {
                        type = "forloopflow", iterator = Js("flow_input.items.map(x => x * 10)"), parallel = true, parallelism = 2,
                        skip_failures = false,
                        modules = new object[]
                        {
                            // Later items finish first: the order must still follow the index.
                            Py("body", "import time\ndef main(v, i):\n    time.sleep(0.05 * (3 - i))\n    return [i, v]\n",
                                new { v = Js("flow_input.iter.value"), i = Js("flow_input.iter.index") }),
                        },
                    },
                },
            },
        }, new { items = new[] { 1, 2, 3 } });
        Assert.Equal(200, r.Status);
        Assert.Equal("[[0,10],[1,20],[2,30]]", r.Json!.ToJsonString());
    }

    [Fact]
    public async Task Branchone_takes_the_first_true_branch_and_branchall_runs_every_branch()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var value = new
        {
            modules = new object[]
            {
                new
                {
                    id = "pick",
                    value = new
                    {
                        type = "branchone",
                        branches = new object[]
                        {
                            new { expr = "flow_input.n > 10", modules = new object[] { Py("big", "def main():\n    return 'big'\n") } },
                            new { expr = "flow_input.n > 5", modules = new object[] { Py("mid", "def main():\n    return 'mid'\n") } },
                        },
                        @default = new object[] { Py("small", "def main():\n    return 'small'\n") },
                    },
                },
                new
                {
                    id = "all",
                    value = new
                    {
                        type = "branchall", parallel = false,
                        branches = new object[]
                        {
                            new { modules = new object[] { Py("x1", "def main(p):\n    return p + '-1'\n", new { p = Js("previous_result") }) } },
                            new { modules = Array.Empty<object>() },
                            new { modules = new object[] { Py("x3", "def main(p):\n    return p + '-3'\n", new { p = Js("results.pick") }) } },
                        },
                    },
                },
            },
        };
        var path = await DeployFlowAsync(alice, ws, value);
        var mid = await alice.Post(ws.W + "jobs/run_wait_result/f/" + path, new { n = 7 });
        Assert.Equal("""["mid-1",null,"mid-3"]""", mid.Json!.ToJsonString());
        var small = await alice.Post(ws.W + "jobs/run_wait_result/f/" + path, new { n = 1 });
        Assert.Equal("""["small-1",null,"small-3"]""", small.Json!.ToJsonString());
    }

    [Fact]
    public async Task A_failing_step_runs_the_failure_module_and_fails_the_flow()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                Py("ok", "def main():\n    return 1\n"),
                Py("boom", "def main():\n    raise ValueError('bad input')\n"),
                Py("never", "def main():\n    return 'unreachable'\n"),
            },
            failure_module = Py("on_fail", "def main(msg, step):\n    return {'handled': msg, 'step': step}\n",
                new { msg = Js("error.message"), step = Js("error.step_id") }),
        });
        Assert.True(r.Status == 422, r.ToString());
        Assert.True(r.Json!["handled"] is not null, r.ToString());
        Assert.Contains("bad input", r.Json!["handled"]!.GetValue<string>());
        Assert.Equal("boom", r.Json!["step"]!.GetValue<string>());
    }

    [Fact]
    public async Task Continue_on_error_passes_the_error_on_and_stop_after_if_ends_the_flow_early()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var tolerant = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new { id = "boom", continue_on_error = true, value = new { type = "rawscript", language = "bash", content = "exit 3", input_transforms = new { } } },
                Py("after", "def main(e):\n    return e['step_id']\n", new { e = Js("previous_result") }),
            },
        });
        Assert.Equal(200, tolerant.Status);
        Assert.Equal("\"boom\"", tolerant.Body);

        var stopped = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new { id = "check", stop_after_if = new { expr = "result.length == 0" }, value = new { type = "rawscript", language = "python3",
                    content = "def main():\n    return []\n", input_transforms = new { } } },
                Py("never", "def main():\n    raise Exception('must not run')\n"),
            },
        });
        Assert.Equal(200, stopped.Status);
        Assert.Equal("[]", stopped.Body);
    }

    [Fact]
    public async Task A_non_array_iterator_fails_the_flow_naming_the_step()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new { id = "loop", value = new { type = "forloopflow", iterator = Js("flow_input.x"), skip_failures = false,
                    modules = new object[] { Py("b", "def main():\n    return 1\n") } } },
            },
        }, new { x = 5 });
        Assert.Equal(422, r.Status);
        Assert.Contains("step loop: the iterator must evaluate to an array", r.Body);
    }

    [Fact]
    public async Task Invalid_flows_are_400_at_deploy_naming_the_place()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        async Task<string> Bad(object value)
        {
            var r = await alice.Post(ws.W + "flows/create", new { path = "u/alice/bad", summary = "", value });
            Assert.Equal(400, r.Status);
            return r.Body;
        }
        Assert.Contains("value.modules[0].value.type: unknown module type 'teleport'",
            await Bad(new { modules = new object[] { new { id = "a", value = new { type = "teleport" } } } }));
        Assert.Contains("duplicate module id 'a'",
            await Bad(new { modules = new object[] { Py("a", "def main(): pass"), Py("a", "def main(): pass") } }));
        Assert.Contains("value.modules[0].value.input_transforms.x.expr: results.b names no step",
            await Bad(new { modules = new object[] { Py("a", "def main(x): pass", new { x = Js("results.b") }), Py("b", "def main(): pass") } }));
        Assert.Contains("value.modules[0].value.language: unknown language 'cobol'",
            await Bad(new { modules = new object[] { new { id = "a", value = new { type = "rawscript", language = "cobol", content = "" } } } }));
        Assert.Equal("false", (await alice.Get(ws.W + "flows/exists/u/alice/bad")).Body);
    }

    [Fact]
    public async Task Flow_routes_keep_versions_and_check_permissions()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        var value = new { modules = new object[] { Py("a", "def main():\n    return 1\n") } };
        Assert.Equal(201, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/f", summary = "one", value })).Status);
        Assert.Equal(400, (await alice.Post(ws.W + "flows/create", new { path = "u/alice/f", summary = "one", value })).Status);
        Assert.Equal(200, (await alice.Post(ws.W + "flows/update/u/alice/f", new { path = "u/alice/f", summary = "two", value })).Status);
        var got = (await alice.Get(ws.W + "flows/get/u/alice/f")).Json!;
        Assert.Equal("two", got["summary"]!.GetValue<string>());
        Assert.Equal("a", got["value"]!["modules"]![0]!["id"]!.GetValue<string>());
        Assert.Single((await alice.Get(ws.W + "flows/list")).Json!.AsArray());
        Assert.Equal(401, (await bob.Get(ws.W + "flows/get/u/alice/f")).Status);
        Assert.Equal(401, (await bob.Post(ws.W + "jobs/run/f/u/alice/f", new { })).Status);
        Assert.Empty((await bob.Get(ws.W + "flows/list")).Json!.AsArray());
        Assert.Equal(200, (await alice.Delete(ws.W + "flows/delete/u/alice/f")).Status);
        Assert.Equal(404, (await alice.Get(ws.W + "flows/get/u/alice/f")).Status);
    }

    [Fact]
    public async Task Custom_flow_state_is_shared_by_the_steps_of_one_run_and_kept_in_the_completed_flow()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var path = await DeployFlowAsync(alice, ws, new
        {
            modules = new object[]
            {
                Py("first", "import wmill\ndef main():\n    before = wmill.get_flow_user_state('who')\n    wmill.set_flow_user_state('who', 'first')\n    return before\n"),
                new
                {
                    id = "loop",
                    value = new
                    {
                        type = "forloopflow", iterator = Js("[0, 1, 2]"), parallel = true, skip_failures = false,
                        modules = new object[]
                        {
                            Py("it", "import wmill\ndef main(i):\n    wmill.set_flow_user_state(f'it{i}', i * 10)\n    return i\n",
                                new { i = Js("flow_input.iter.value") }),
                        },
                    },
                },
                new
                {
                    id = "ts", value = new
                    {
                        type = "rawscript", language = "bun", input_transforms = new { },
                        content = "import * as wmill from \"windmill-client\";\nexport async function main() {\n  await wmill.setFlowUserState(\"bun\", { ok: true });\n  return await wmill.getFlowUserState(\"who\");\n}\n",
                    },
                },
                Py("last", "import wmill\ndef main():\n    return [wmill.get_flow_user_state(k) for k in ['who', 'it0', 'it1', 'it2', 'bun', 'missing']]\n"),
            },
        });
        var run = await alice.Post(ws.W + "jobs/run/f/" + path, new { });
        var id = Guid.Parse(run.Body.Trim('"'));
        var job = await alice.WaitAsync(ws, id);
        Assert.Equal("""["first",0,10,20,{"ok":true},null]""", job["result"]!.ToJsonString());
        var flow = (await alice.Get(ws.W + "jobs_u/get/" + id)).Json!;
        var states = flow["flow_status"]!["user_states"]!.AsObject();
        Assert.Equal(new[] { "bun", "it0", "it1", "it2", "who" }, states.Select(kv => kv.Key).Order());
        Assert.Equal(404, (await alice.Get(ws.W + $"jobs/flow/user_states/{id}/who")).Status);

        // A new run starts from an empty map: its first step saw no "who" (its result is the value read before setting).
        var again = Guid.Parse((await alice.Post(ws.W + "jobs/run/f/" + path, new { })).Body.Trim('"'));
        await alice.WaitAsync(ws, again);
        var steps = (await alice.Get(ws.W + $"jobs/list?parent_job={again}")).Json!.AsArray();
        var first = steps.Single(s => s!["script_path"]!.GetValue<string>().EndsWith("/first"));
        Assert.Null(first!["result"]);
    }

    [Fact]
    public async Task Custom_flow_state_outside_a_running_flow_is_404()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/plain", "python3", "import wmill\ndef main():\n    wmill.set_flow_user_state('k', 1)\n");
        var job = await alice.WaitAsync(ws, await alice.RunAsync(ws, "u/alice/plain"));
        Assert.False(job["success"]!.GetValue<bool>());
        Assert.Contains("404", job["result"]!.ToJsonString());
        Assert.Contains("custom flow state exists only while the flow runs", job["result"]!.ToJsonString());
        var missing = await alice.Post(ws.W + $"jobs/flow/user_states/{Guid.NewGuid()}/k", 1);
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task Retry_runs_a_failing_step_again_and_records_the_failed_attempts()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var id = Guid.Parse((await alice.Post(ws.W + "jobs/run/f/" + await DeployFlowAsync(alice, ws, new
        {
            modules = new object[]
            {
                new
                {
                    id = "flaky", retry = new { constant = new { attempts = 3, seconds = 0 } },
                    value = new
                    {
                        type = "rawscript", language = "python3", input_transforms = new { },
                        content = "import wmill\ndef main():\n    n = (wmill.get_flow_user_state('n') or 0) + 1\n    wmill.set_flow_user_state('n', n)\n    if n < 3:\n        raise Exception(f'attempt {n}')\n    return n\n",
                    },
                },
            },
        }), new { })).Body.Trim('"'));
        var flow = await alice.WaitAsync(ws, id);
        Assert.True(flow["success"]!.GetValue<bool>(), flow.ToJsonString());
        Assert.Equal(3, flow["result"]!.GetValue<int>());
        var status = (await alice.Get(ws.W + "jobs_u/get/" + id)).Json!["flow_status"]!;
        Assert.Equal(2, status["retry"]!["fail_count"]!.GetValue<int>());
        Assert.Equal(2, status["modules"]![0]!["failed_jobs"]!.AsArray().Count);
    }

    [Fact]
    public async Task Sub_flows_while_loops_skip_if_mock_and_sleep()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var inner = await DeployFlowAsync(alice, ws, new
        {
            modules = new object[] { Py("double", "def main(x):\n    return x * 2\n", new { x = Js("flow_input.x") }) },
        });
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new { id = "sub", value = new { type = "flow", path = inner, input_transforms = new { x = Js("flow_input.start") } } },
                new
                {
                    id = "loop", stop_after_if = new { expr = "result >= 3" },
                    value = new
                    {
                        type = "whileloopflow", skip_failures = false,
                        modules = new object[]
                        {
                            Py("count", "import wmill\ndef main():\n    n = (wmill.get_flow_user_state('k') or 0) + 1\n    wmill.set_flow_user_state('k', n)\n    return n\n"),
                        },
                    },
                },
                new { id = "skipped", skip_if = new { expr = "true" }, value = new { type = "rawscript", language = "bash", content = "exit 1", input_transforms = new { } } },
                new { id = "mocked", mock = new { enabled = true, return_value = new { mocked = true } }, value = new { type = "rawscript", language = "bash", content = "exit 1", input_transforms = new { } } },
                new
                {
                    id = "late", sleep = new { type = "static", value = 1 },
                    value = new { type = "rawscript", language = "python3", content = "def main(a, b, c):\n    return [a, b, c]\n",
                        input_transforms = new { a = Js("results.sub"), b = Js("results.loop"), c = Js("previous_result") } },
                },
            },
        }, new { start = 21 });
        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("""[42,[1,2,3],{"mocked":true}]""", r.Json!.ToJsonString());
    }

    [Fact]
    public async Task Expressions_read_variables_and_resources_as_the_flows_identity()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var bob = await ws.AddUserAsync("bob");
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/greeting", value = "hello", is_secret = true, description = "" });
        await alice.Post(ws.W + "resources/create", new { path = "u/alice/target", resource_type = "any", value = new { name = "world" } });
        await bob.Post(ws.W + "variables/create", new { path = "u/bob/private", value = "bob's", is_secret = false, description = "" });
        var ok = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                Py("a", "def main(s):\n    return s\n", new { s = Js("`${variable('u/alice/greeting')} ${resource('u/alice/target').name}`") }),
            },
        });
        Assert.True(ok.Status == 200, ok.ToString());
        Assert.Equal("\"hello world\"", ok.Body);

        var denied = await RunAsync(alice, ws, new
        {
            modules = new object[] { Py("a", "def main(s):\n    return s\n", new { s = Js("variable('u/bob/private')") }) },
        });
        Assert.Equal(422, denied.Status);
        Assert.DoesNotContain("bob's", denied.Body);
    }

    [Fact]
    public async Task A_step_over_its_timeout_is_stopped_and_fails_the_flow()
    {
        var ws = await TestWorkspace.CreateAsync(services, "flw");
        var alice = await ws.AddUserAsync("alice");
        var r = await RunAsync(alice, ws, new
        {
            modules = new object[]
            {
                new { id = "slow", timeout = 1, value = new { type = "rawscript", language = "bash", content = "sleep 20", input_transforms = new { } } },
            },
        });
        Assert.Equal(422, r.Status);
        Assert.Contains("duration > 1", r.Body); // Windmill's timeout message: the step was stopped, not left to finish
    }
}
