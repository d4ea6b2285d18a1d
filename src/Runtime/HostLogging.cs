using Microsoft.Extensions.Logging;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// One log format for every process: single-line console output with UTC timestamps, framework chatter at
/// Warning; each line carries its scopes (a job's id and workspace) and the trace and span ids of the current span.
/// </summary>
public static class HostLogging
{
    public static ILoggingBuilder AddWindmillLogging(this ILoggingBuilder logging) => logging
        .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
}
