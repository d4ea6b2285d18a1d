namespace Windmill.Jobs.IntegrationTests;

/// <summary>TypeScript on Bun, with the official windmill-client.</summary>
[Collection(ServicesCollection.Name)]
public sealed class BunScriptTests(ServicesFixture services)
{
    [Fact]
    public async Task Async_main_result_and_the_official_client_state_calls()
    {
        var ws = await TestWorkspace.CreateAsync(services, "bun");
        var alice = await ws.AddUserAsync("alice");
        await alice.Post(ws.W + "variables/create", new { path = "u/alice/greeting", value = "bonjour", is_secret = true });
        await alice.DeployAsync(ws, "u/alice/ts", "bun", """
            import * as wmill from "windmill-client"

            export async function main(name: string, times: number = 2) {
              const greeting = await wmill.getVariable("u/alice/greeting")
              const previous = (await wmill.getState()) ?? 0
              await wmill.setState(previous + times)
              return { message: `${greeting} ${name}`, state: previous + times, path: process.env.WM_STATE_PATH }
            }
            """);
        var first = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/ts", new { name = "ada" });
        Assert.True(first.Status == 200, first.ToString());
        Assert.Equal("bonjour ada", first.Json!["message"]!.GetValue<string>());
        Assert.Equal(2, first.Json!["state"]!.GetValue<int>());
        Assert.Equal("u/alice/ts/user", first.Json!["path"]!.GetValue<string>());
        var second = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/ts", new { name = "ada", times = 5 });
        Assert.Equal(7, second.Json!["state"]!.GetValue<int>());
    }

    [Fact]
    public async Task Thrown_error_fails_the_job_with_its_message()
    {
        var ws = await TestWorkspace.CreateAsync(services, "bun");
        var alice = await ws.AddUserAsync("alice");
        await alice.DeployAsync(ws, "u/alice/tsfail", "bun", "export function main() { throw new TypeError('bad shape') }\n");
        var r = await alice.Post(ws.W + "jobs/run_wait_result/p/u/alice/tsfail", new { });
        Assert.Equal(422, r.Status);
        Assert.Equal("TypeError", r.Json!["error"]!["name"]!.GetValue<string>());
        Assert.Equal("bad shape", r.Json!["error"]!["message"]!.GetValue<string>());
    }
}
