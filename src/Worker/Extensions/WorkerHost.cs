using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Windmill.Jobs.Runtime.Telemetry;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Flows;
using Windmill.Jobs.Worker.Languages.DuckDb;
using Windmill.Jobs.Worker.Languages;
using Windmill.Jobs.Worker.Schedules;

namespace Windmill.Jobs.Worker.Extensions;

/// <summary>Builds and runs a worker process: settings, start-up checks, the RabbitMQ bus.</summary>
public static class WorkerHost
{
    private static void AddExecution(IServiceCollection services)
    {
        services.AddSingleton<JobClaims>();
        services.AddSingleton<JobQueueWriter>();
        services.AddSingleton<JobDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<JobDispatcher>());
        services.AddSingleton<JobSlots>();
        services.AddSingleton<JobTokenIssuer>();
        services.AddSingleton<ArgumentResolver>();
        services.AddHttpClient("api", c => c.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<IExecutor, BashExecutor>();
        services.AddSingleton<IExecutor, PythonExecutor>();
        services.AddSingleton<IExecutor, PostgresExecutor>();
        services.AddSingleton<IExecutor, BunExecutor>();
        services.AddSingleton<IExecutor, DuckDbExecutor>();
        services.AddSingleton<S3ObjectCache>();
        services.AddSingleton<AssetEvents>();
        services.AddSingleton<JsEvaluator>();
        services.AddSingleton<FlowUserStates>();
        services.AddSingleton<FlowAdvancer>();
        services.AddSingleton<ScheduleHandlers>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<Readiness>();
    }

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

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.AddWindmillLogging(settings.Services);
        builder.WebHost.UseUrls($"http://0.0.0.0:{settings.HttpPort}");
        builder.Services.AddWindmillTelemetry("windmill-jobs-worker");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownGracePeriod + 15));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Services);
        builder.Services.AddWindmillStore(settings.Services);
        AddExecution(builder.Services);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<RunJobConsumer>();
            bus.UsingRabbitMq((ctx, cfg) =>
            {
                cfg.Host(settings.Services.RabbitMqUrl);
                JobBusTopology.Configure(cfg);
                foreach (var tag in settings.Tags)
                    cfg.ReceiveEndpoint(JobBusTopology.QueueOf(tag), e =>
                    {
                        JobBusTopology.ConfigureQueue(e, tag);
                        e.PrefetchCount = settings.NumWorkers;
                        e.ConcurrentMessageLimit = settings.NumWorkers;
                        // A claim that fails (store unreachable) is retried before the message is given up;
                        // the dispatcher's safety net re-sends anything still waiting after that.
                        e.UseMessageRetry(r => r.Intervals(500, 1000, 2000, 5000, 10000, 30000));
                        e.ConfigureConsumer<RunJobConsumer>(ctx);
                    });
            });
        });
        // Without this a message published right after start can be lost (ARCHITECTURE.md).
        // By the time the bus stops the runner has drained, and the only consumers left wait for a slot they will never
        // get: canceling them after 2 s (not MassTransit's default of about 15) hands their messages back sooner.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.ConsumerStopTimeout = TimeSpan.FromSeconds(2);
        });
        // Hosted services stop in reverse order: the runner drains first (the bus still up for its completions
        // and hand-backs), then the asset events are flushed, then the bus stops.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AssetEvents>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());

        var host = builder.Build();
        host.Services.GetRequiredService<PrometheusText>(); // listens from the start, not from the first scrape
        host.UseHttpServerSpans();
        host.MapOperations();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
            host.Services.GetRequiredService<ILogger<WorkerSettings>>().LogInformation(
                "worker {Name} connected to RabbitMQ; tags {Tags}; {NumWorkers} concurrent job(s); health and metrics on {Urls}",
                settings.Name, string.Join(",", settings.Tags), settings.NumWorkers, string.Join(" ", host.Urls)));
        await host.RunAsync();
        return 0;
    }
}
