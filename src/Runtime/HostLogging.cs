using Microsoft.Extensions.Logging;

namespace Windmill.Jobs.Runtime;

/// <summary>One log format for every process: single-line console output with UTC timestamps, framework chatter at Warning.</summary>
public static class HostLogging
{
    public static ILoggingBuilder AddWindmillLogging(this ILoggingBuilder logging) => logging
        .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
}
