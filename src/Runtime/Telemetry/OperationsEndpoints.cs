using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Windmill.Jobs.Runtime.Telemetry;

/// <summary><c>/healthz</c> (liveness), <c>/readyz</c> (readiness, 503 naming what is down) and <c>/metrics</c> (Prometheus text), on API and worker alike.</summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (Readiness readiness, CancellationToken ct) =>
        {
            var (ready, checks) = await readiness.CheckAsync(ct);
            return Results.Json(new JsonObject { ["ready"] = ready, ["checks"] = checks }, statusCode: ready ? 200 : 503);
        });
        app.MapGet("/metrics", (PrometheusText metrics) => Results.Text(metrics.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }
}
