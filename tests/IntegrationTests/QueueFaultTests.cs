using System.Diagnostics;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// No job is lost and none completes twice (issue 3): a worker killed mid-job, a duplicate delivery, a
/// publish lost between commit and send, RabbitMQ restarted while jobs wait. Each test uses a tag of its
/// own so only the workers it starts serve its jobs.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class QueueFaultTests(ServicesFixture services) : IAsyncLifetime
{
    private TestWorkspace _ws = null!;
    private ApiClient _alice = null!;

    public async Task InitializeAsync()
    {
        _ws = await TestWorkspace.CreateAsync(services, "fault");
        _alice = await _ws.AddUserAsync("alice");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..10];

    private async Task<long> ScalarAsync(string sql, Guid id)
    {
        await using var db = new NpgsqlConnection(services.NpgsqlConnectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        cmd.Parameters.AddWithValue("id", id);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private Task<long> CompletionsAsync(Guid id) => ScalarAsync("SELECT count(*) FROM v2_job_completed WHERE id = @id", id);

    [Fact]
    public async Task Worker_killed_mid_job_the_job_is_restarted_and_completes_once()
    {
        var tag = NewTag();
        await _alice.DeployAsync(_ws, "u/alice/survivor", "bash", "echo started-$WM_JOB_ID\nsleep 3\necho finished\n", new { tag });
        var first = await services.StartWorkerAsync(tag, name: "victim-" + tag);
        var id = await _alice.RunAsync(_ws, "u/alice/survivor");
        for (var i = 0; i < 100 && !(await _alice.Get(_ws.W + $"jobs_u/get_logs/{id}")).Body.Contains("started-"); i++) await Task.Delay(100);
        Process.GetProcessById(first.Id).Kill(); // SIGKILL: no chance to hand the job back
        await first.DisposeAsync();

        await using var second = await services.StartWorkerAsync(tag, name: "rescuer-" + tag);
        var job = await _alice.WaitAsync(_ws, id, 60);
        Assert.True(job["success"]!.GetValue<bool>(), job.ToJsonString());
        Assert.Equal("\"finished\"", job["result"]!.ToJsonString());
        Assert.Contains("Restarted job after not receiving job's ping", job["logs"]!.GetValue<string>());
        Assert.Equal("rescuer-" + tag, job["worker"]!.GetValue<string>());
        await Task.Delay(1000);
        Assert.Equal(1, await CompletionsAsync(id));
    }

    [Fact]
    public async Task A_job_that_keeps_losing_its_worker_fails_clearly_after_the_restart_limit()
    {
        var tag = NewTag();
        await _alice.DeployAsync(_ws, "u/alice/doomed", "bash", "echo started\nsleep 60\n", new { tag });
        var id = await _alice.RunAsync(_ws, "u/alice/doomed");
        // The fixture's API allows one restart (ZOMBIE_JOB_RESTART_LIMIT=1): kill two workers in turn.
        for (var round = 0; round < 2; round++)
        {
            var name = $"doomed-{round}-{tag}";
            var worker = await services.StartWorkerAsync(tag, name: name);
            for (var i = 0; i < 300 && (await _alice.Get(_ws.W + $"jobs_u/get/{id}")).Json!["worker"]?.GetValue<string>() != name; i++) await Task.Delay(100);
            Process.GetProcessById(worker.Id).Kill();
            await worker.DisposeAsync();
        }
        var job = await _alice.WaitAsync(_ws, id, 60);
        Assert.False(job["success"]!.GetValue<bool>());
        Assert.Contains("Job timed out after no ping from job", job["result"]!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(1, await CompletionsAsync(id));
    }

    [Fact]
    public async Task Duplicate_delivery_runs_the_job_once()
    {
        var tag = NewTag();
        await _alice.DeployAsync(_ws, "u/alice/once", "bash", "echo ran-once\n", new { tag });
        await using var worker = await services.StartWorkerAsync(tag);
        var id = await _alice.RunAsync(_ws, "u/alice/once");
        await _alice.WaitAsync(_ws, id);

        // Deliver the same "job is ready" message three more times, straight through RabbitMQ.
        var factory = new ConnectionFactory { Uri = new Uri(services.Env["RABBITMQ_URL"]) };
        await using (var conn = await factory.CreateConnectionAsync())
        await using (var channel = await conn.CreateChannelAsync())
        {
            var envelope = new System.Text.Json.Nodes.JsonObject
            {
                ["messageId"] = Guid.NewGuid(),
                ["messageType"] = new System.Text.Json.Nodes.JsonArray("urn:message:Windmill.Jobs.Contracts:RunJob"),
                ["message"] = new System.Text.Json.Nodes.JsonObject { ["jobId"] = id, ["tag"] = tag },
            }.ToJsonString();
            var props = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
            for (var i = 0; i < 3; i++)
                await channel.BasicPublishAsync("wmj.jobs", tag, false, props, Encoding.UTF8.GetBytes(envelope));
        }
        await Task.Delay(2000);
        Assert.Equal(1, await CompletionsAsync(id));
        var logs = (await _alice.Get(_ws.W + $"jobs_u/get_logs/{id}")).Body;
        Assert.Equal(1, logs.Split("ran-once").Length - 1);
    }

    [Fact]
    public async Task A_publish_lost_between_commit_and_send_is_recovered()
    {
        var tag = NewTag();
        var hash = await _alice.DeployAsync(_ws, "u/alice/orphan", "bash", "echo recovered\n", new { tag });
        await using var worker = await services.StartWorkerAsync(tag);
        // A job committed to the store whose dispatch message never reached RabbitMQ (the API died in between).
        var id = Guid.CreateVersion7();
        await using (var db = new NpgsqlConnection(services.NpgsqlConnectionString))
        {
            await db.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO v2_job (id, workspace_id, created_at, created_by, permissioned_as, permissioned_as_email, kind, runnable_id, runnable_path, args, tag)
                VALUES (@id, @w, now() - interval '10 seconds', 'alice', 'u/alice', @email, 'script', @hash, 'u/alice/orphan', '{}', @tag);
                INSERT INTO v2_job_queue (id, workspace_id, created_at, scheduled_for, tag) VALUES (@id, @w, now() - interval '10 seconds', now() - interval '10 seconds', @tag);
                INSERT INTO v2_job_runtime (id) VALUES (@id);
                INSERT INTO job_perms (job_id, workspace_id, email, username, is_admin, is_operator, groups, folders_read, folders_write, folders_owned)
                VALUES (@id, @w, @email, 'alice', false, false, ARRAY['all'], '{}', '{}', '{}');
                """, db);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("w", _ws.Id);
            cmd.Parameters.AddWithValue("email", _ws.EmailOf("alice"));
            cmd.Parameters.AddWithValue("hash", Convert.ToInt64(hash, 16));
            cmd.Parameters.AddWithValue("tag", tag);
            await cmd.ExecuteNonQueryAsync();
        }
        var job = await _alice.WaitAsync(_ws, id, 30);
        Assert.Equal("\"recovered\"", job["result"]!.ToJsonString());
        Assert.Equal(1, await CompletionsAsync(id));
    }

    [Fact]
    public async Task Jobs_waiting_while_rabbitmq_restarts_all_run_once()
    {
        var tag = NewTag();
        await _alice.DeployAsync(_ws, "u/alice/patient", "python3", "def main(i: int):\n    return i\n", new { tag });
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++) ids.Add(await _alice.RunAsync(_ws, "u/alice/patient", new { i }));
        await services.RestartRabbitMqAsync(downSeconds: 2);
        for (var i = 20; i < 25; i++) ids.Add(await _alice.RunAsync(_ws, "u/alice/patient", new { i }));
        await using var worker = await services.StartWorkerAsync(tag, numWorkers: 4);
        for (var i = 0; i < ids.Count; i++)
        {
            var job = await _alice.WaitAsync(_ws, ids[i], 90);
            Assert.Equal(i, job["result"]!.GetValue<int>());
            Assert.Equal(1, await CompletionsAsync(ids[i]));
        }
    }
}
