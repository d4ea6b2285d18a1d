using System.Text.Json.Nodes;

namespace Windmill.Jobs.IntegrationTests.Infrastructure;

/// <summary>Deploying scripts and waiting for jobs, as a client would.</summary>
public static class JobHelpers
{
    public static async Task<string> DeployAsync(this ApiClient who, TestWorkspace ws, string path, string language, string code, object? extra = null)
    {
        var body = new JsonObject { ["path"] = path, ["language"] = language, ["content"] = code, ["summary"] = "", ["description"] = "" };
        if (extra is not null)
            foreach (var (k, v) in System.Text.Json.JsonSerializer.SerializeToNode(extra)!.AsObject()) body[k] = v?.DeepClone();
        var r = await who.Post(ws.W + "scripts/create", body);
        Assert.True(r.Status == 201, r.ToString());
        return r.Body;
    }

    public static async Task<Guid> RunAsync(this ApiClient who, TestWorkspace ws, string path, object? args = null, string query = "")
    {
        var r = await who.Post(ws.W + "jobs/run/p/" + path + query, args ?? new { });
        Assert.True(r.Status == 201, r.ToString());
        return Guid.Parse(r.Body);
    }

    /// <summary>Polls <c>get_result_maybe</c> as the official clients do, until the job completes.</summary>
    public static async Task<JsonObject> WaitAsync(this ApiClient who, TestWorkspace ws, Guid id, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            var r = await who.Get(ws.W + $"jobs_u/completed/get_result_maybe/{id}");
            Assert.True(r.Status == 200, r.ToString());
            if (r.Json!["completed"]!.GetValue<bool>()) return (await who.Get(ws.W + $"jobs_u/get/{id}")).Json!.AsObject();
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id} did not complete in {seconds} s");
    }
}
