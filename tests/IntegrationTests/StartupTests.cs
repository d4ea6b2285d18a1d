using Npgsql;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>Start-up: settings are checked with one clear line; migrations are safe with replicas starting together.</summary>
[Collection(ServicesCollection.Name)]
public sealed class StartupTests(ServicesFixture services)
{
    private async Task<ChildProcess> RunToExit(string dll, Dictionary<string, string?> env)
    {
        var p = ChildProcess.Start("dotnet", [dll], env, clearEnvironment: true);
        await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return p;
    }

    [Theory]
    [InlineData("DATABASE_URL")]
    [InlineData("RABBITMQ_URL")]
    [InlineData("REDIS_URL")]
    public async Task Missing_setting_stops_the_api_with_one_line_naming_it(string name)
    {
        var env = services.ProcessEnv(services.DatabaseUrl, ServicesFixture.FreePort());
        env.Remove(name);
        await using var p = await RunToExit(RepoPaths.ApiDll, env);
        Assert.Equal(1, p.ExitCode);
        var line = Assert.Single(p.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"windmill-jobs-api: {name} is not set", line);
    }

    [Theory]
    [InlineData("DATABASE_URL", "postgres://postgres@127.0.0.1:1/windmill")]
    [InlineData("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1/")]
    [InlineData("REDIS_URL", "redis://127.0.0.1:1")]
    public async Task Unreachable_server_stops_the_worker_naming_the_setting(string name, string value)
    {
        var env = services.ProcessEnv(services.DatabaseUrl, ServicesFixture.FreePort());
        env[name] = value;
        await using var p = await RunToExit(RepoPaths.WorkerDll, env);
        Assert.Equal(1, p.ExitCode);
        Assert.StartsWith($"windmill-jobs-worker: {name}: cannot connect", p.Output.Trim());
    }

    [Fact]
    public async Task Malformed_url_is_named()
    {
        var env = services.ProcessEnv("mysql://nope", ServicesFixture.FreePort());
        await using var p = await RunToExit(RepoPaths.ApiDll, env);
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("DATABASE_URL must look like postgres://", p.Output);
    }

    [Fact]
    public async Task Three_replicas_starting_at_once_migrate_one_fresh_database_once()
    {
        var dbName = "fresh_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(services.NpgsqlConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {dbName}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var url = services.DatabaseUrl[..services.DatabaseUrl.LastIndexOf('/')] + "/" + dbName;
        var replicas = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => services.StartApiAsync(url)));
        try
        {
            foreach (var (_, baseUrl) in replicas)
                Assert.Equal(200, (await new ApiClient(baseUrl, ServicesFixture.SuperadminSecret).Get("w/admins/resources/type/get/s3")).Status);
            await using var db = new NpgsqlConnection(Core.Config.ConnectionUrls.PostgresToNpgsql(url, "tests"));
            await db.OpenAsync();
            // every migration applied exactly once
            await using var migrations = new NpgsqlCommand(
                "SELECT count(*) FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" IN ('0001_foundation', '0002_jobs', '0003_flows', '0004_schedules')", db);
            Assert.Equal(4L, (long)(await migrations.ExecuteScalarAsync())!);
            await using var types = new NpgsqlCommand("SELECT count(*) FROM resource_type WHERE workspace_id = 'admins' AND name = 's3'", db);
            Assert.Equal(1L, (long)(await types.ExecuteScalarAsync())!);
            await using var users = new NpgsqlCommand("SELECT count(*) FROM password WHERE email = 'admin@windmill.dev'", db);
            Assert.Equal(1L, (long)(await users.ExecuteScalarAsync())!);
        }
        finally
        {
            foreach (var (p, _) in replicas) await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task Worker_starts_and_connects_to_rabbitmq()
    {
        var env = services.ProcessEnv(services.DatabaseUrl, ServicesFixture.FreePort());
        env["WORKER_TAGS"] = "bash,python3";
        env["NUM_WORKERS"] = "2";
        await using var worker = ChildProcess.Start("dotnet", [RepoPaths.WorkerDll], env);
        await worker.WaitForOutputAsync("connected to RabbitMQ; tags bash,python3; 2 concurrent job(s)", TimeSpan.FromSeconds(60));
    }
}
