using Microsoft.Extensions.Logging;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// One log format for every process, UTC timestamps, framework chatter at Warning. Each line carries its scopes
/// (a job's id and workspace) and the trace and span ids of the current span. The default is single-line text
/// for people; <c>LOG_FORMAT=json</c> writes one JSON object per line for a log collector, the scopes as fields
/// (<c>JobId</c>, <c>Workspace</c>, <c>TraceId</c>, <c>SpanId</c>).
/// </summary>
public static class HostLogging
{
    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public static ILoggingBuilder AddWindmillLogging(this ILoggingBuilder logging, ServiceSettings settings)
    {
        logging.ClearProviders()
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        return settings.JsonLogs
            ? logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = Timestamp;
                o.UseUtcTimestamp = true;
            })
            : logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = Timestamp + " ";
                o.UseUtcTimestamp = true;
            });
    }
}
