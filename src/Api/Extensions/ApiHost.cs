using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Windmill.Jobs.Api.Apis;
using Windmill.Jobs.Api.Consumers;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Runtime.Telemetry;

namespace Windmill.Jobs.Api.Extensions;

/// <summary>Builds and runs the API process: settings, start-up checks, migrations, routes.</summary>
public static class ApiHost
{
    public const long MaxRequestBodyBytes = 16L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        ApiSettings settings;
        try
        {
            settings = ApiSettings.FromEnvironment(Environment.GetEnvironmentVariable);
            await StartupChecks.RequireReachableAsync(settings.Services, needsRedis: true, CancellationToken.None);
        }
        catch (SettingsError e)
        {
            Console.Error.WriteLine($"windmill-jobs-api: {e.Message}");
            return 1;
        }

        var app = Build(args, settings);
        await app.Services.GetRequiredService<StoreSetup>().RunAsync(CancellationToken.None);
        app.Lifetime.ApplicationStarted.Register(() =>
            app.Logger.LogInformation("Windmill.Jobs API listening on port {Port} (BASE_INTERNAL_URL {Url})", settings.Port, settings.Services.BaseInternalUrl));
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args, ApiSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.AddWindmillLogging(settings.Services);
        var bind = Environment.GetEnvironmentVariable("BIND_ADDRESS") is { Length: > 0 } b ? b : "0.0.0.0";
        builder.WebHost.UseUrls($"http://{bind}:{settings.Port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddWindmillStore(settings.Services);
        services.Configure<JsonOptions>(o => Json.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton<AuthCache>();
        services.AddSingleton<TokenAuthenticator>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<WorkspaceCiphers>();
        services.AddSingleton<SecretReveal>();
        services.AddSingleton<ResourceValueValidator>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        AddJobs(services, settings);
        services.AddWindmillTelemetry("windmill-jobs-api");
        services.AddSingleton<Readiness>();
        services.AddSingleton<QueueGauges>();

        var app = builder.Build();
        app.Services.GetRequiredService<QueueGauges>(); // registers the gauges
        app.Services.GetRequiredService<PrometheusText>(); // listens from the start, not from the first scrape
        app.UseHttpServerSpans();
        app.UseMiddleware<ErrorResponses>();
        app.MapOperations();
        MapRoutes(app);
        return app;
    }

    /// <summary>The queue: store operations, the bus, dispatch, the recovery leader, completion waits.</summary>
    private static void AddJobs(IServiceCollection services, ApiSettings settings)
    {
        services.AddSingleton<JobQueueWriter>();
        services.AddSingleton<JobClaims>();
        services.AddSingleton<JobRecovery>();
        services.AddSingleton<JobReader>();
        services.AddSingleton<JobTokens>();
        services.AddSingleton<JobEnqueuer>();
        services.AddSingleton<JobContexts>();
        services.AddSingleton(settings.Services);
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<FlowUserStates>();
        services.AddSingleton<Windmill.Jobs.Store.Flows.FlowStateLedger>();
        services.AddSingleton<ScheduleTicks>();
        services.AddSingleton<WorkspaceStorage>();
        services.AddSingleton<Windmill.Jobs.Store.Assets.AssetStore>();
        services.AddHostedService(sp => sp.GetRequiredService<JobDispatcher>());
        services.AddSingleton<CompletionWaiter>();
        services.AddHostedService(sp => sp.GetRequiredService<CompletionWaiter>());
        services.AddHostedService<DispatchLeader>();
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<AssetEventsConsumer>();
            bus.UsingRabbitMq((ctx, cfg) =>
            {
                cfg.Host(settings.Services.RabbitMqUrl);
                JobBusTopology.Configure(cfg);
                cfg.ReceiveEndpoint(AssetEvents.Queue, e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.PrefetchCount = 4;
                    e.ConcurrentMessageLimit = 2;
                    // A store outage holds the events in RabbitMQ (about two days of retries) instead of losing them.
                    e.UseMessageRetry(r => r.Interval(100_000, TimeSpan.FromSeconds(2)));
                    e.ConfigureConsumer<AssetEventsConsumer>(ctx);
                });
            });
        });
        services.AddSingleton<AssetEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<AssetEvents>());
        services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
    }

    private static void MapRoutes(WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/version", () => Replies.Text(VersionInfo.Text));
        api.MapAuthApi();
        api.MapUsersApi();
        api.MapWorkspacesApi();
        api.MapSchedulePreview();

        var w = api.MapGroup("/w/{workspace}");
        w.MapWorkspaceUsersApi();
        w.MapWorkspaceAdminApi();
        w.MapWorkspaceSettingsApi();
        w.MapFoldersApi();
        w.MapGroupsApi();
        w.MapAclsApi();
        w.MapVariablesApi();
        w.MapResourcesApi();
        w.MapScriptsApi();
        w.MapFlowsApi();
        w.MapFlowRunsApi();
        w.MapSchedulesApi();
        w.MapJobsApi();
        w.MapJobHelpersApi();
        w.MapFilePreviewsApi();
        w.MapAssetsApi();

        app.MapFallback((HttpContext ctx) => Replies.Text($"Not found: no route {ctx.Request.Method} {ctx.Request.Path}", 404));
    }
}

/// <summary>What <c>/api/version</c> answers: the Windmill API level we follow, then our own version.</summary>
public static class VersionInfo
{
    public const string Text = "CE v1.500.0 (Windmill.Jobs 0.1.0)";
}
