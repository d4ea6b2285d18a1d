using MassTransit;
using Windmill.Jobs.Runtime;

namespace Windmill.Jobs.Worker.Extensions;

/// <summary>Builds and runs a worker process: settings, start-up checks, the RabbitMQ bus.</summary>
public static class WorkerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        WorkerSettings settings;
        try
        {
            settings = WorkerSettings.FromEnvironment(Environment.GetEnvironmentVariable);
            await StartupChecks.RequireReachableAsync(settings.Services, needsRedis: true, CancellationToken.None);
        }
        catch (SettingsError e)
        {
            Console.Error.WriteLine($"windmill-jobs-worker: {e.Message}");
            return 1;
        }

        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Services.AddSingleton(settings);
        builder.Services.AddWindmillStore(settings.Services);
        builder.Services.AddMassTransit(bus => bus.UsingRabbitMq((ctx, cfg) =>
        {
            cfg.Host(settings.Services.RabbitMqUrl);
            cfg.ConfigureEndpoints(ctx);
        }));
        // Without this a message published right after start can be lost (ARCHITECTURE.md).
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);

        var host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
            host.Services.GetRequiredService<ILogger<WorkerSettings>>().LogInformation(
                "worker {Name} connected to RabbitMQ; tags {Tags}; {NumWorkers} concurrent job(s)",
                settings.Name, string.Join(",", settings.Tags), settings.NumWorkers));
        await host.RunAsync();
        return 0;
    }
}
