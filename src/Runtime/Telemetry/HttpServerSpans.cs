using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Windmill.Jobs.Runtime.Telemetry;

/// <summary>
/// Names the span ASP.NET Core starts for each request after its route (<c>POST /api/w/{workspace}/jobs/run/p/{*path}</c>)
/// and gives it the HTTP semantic-convention tags. The instrumentation package that would do this does not restore
/// here (ARCHITECTURE.md); without it a collector shows every request as <c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c>.
/// The query string is left out: it can carry tokens.
/// </summary>
public static class HttpServerSpans
{
    public static IApplicationBuilder UseHttpServerSpans(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var span = Activity.Current;
        try { await next(context); }
        finally
        {
            if (span is { IsAllDataRequested: true })
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                var method = context.Request.Method;
                var status = context.Response.StatusCode;
                span.DisplayName = route is null ? method : $"{method} {route}";
                span.SetTag("http.request.method", method).SetTag("http.route", route).SetTag("url.path", context.Request.Path.Value)
                    .SetTag("http.response.status_code", status);
                if (status >= 500) span.SetStatus(ActivityStatusCode.Error);
            }
        }
    });
}
