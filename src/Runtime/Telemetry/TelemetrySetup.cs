using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

using Windmill.Jobs.Core.Telemetry;

namespace Windmill.Jobs.Runtime.Telemetry;

/// <summary>
/// Traces and metrics for a process (ARCHITECTURE.md: no OpenTelemetry hosting or instrumentation package
/// restores, so the providers are built by hand and the libraries' own activity sources are listened to).
/// Spans are always recorded, so logs carry trace ids and jobs get a <c>TRACEPARENT</c>; they and the metrics
/// are exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. <c>/metrics</c> serves the
/// same instruments as Prometheus text whatever the setting.
/// </summary>
public static class TelemetrySetup
{
    public static IServiceCollection AddWindmillTelemetry(this IServiceCollection services, string serviceName)
    {
        var exporting = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 };
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource)
            .AddSource(Instrumentation.Name, "Microsoft.AspNetCore", "MassTransit", "System.Net.Http");
        if (exporting) tracing.AddSource("Npgsql").AddOtlpExporter(); // a span per SQL command only when someone looks
        services.AddSingleton(tracing.Build());
        if (exporting)
            services.AddSingleton(Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Instrumentation.Name).AddOtlpExporter().Build());
        services.AddSingleton<PrometheusText>();
        return services;
    }
}
