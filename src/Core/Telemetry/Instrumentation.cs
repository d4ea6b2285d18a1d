using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Windmill.Jobs.Core.Telemetry;

/// <summary>The project's own trace source and meter (spans and instruments named <c>wmj.*</c>).</summary>
public static class Instrumentation
{
    public const string Name = "Windmill.Jobs";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>The W3C <c>traceparent</c> of the current span, for a job's environment (<c>TRACEPARENT</c>) and its row.</summary>
    public static string? CurrentTraceParent => Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;

    /// <summary>A span whose parent is a stored <c>traceparent</c> (a job's enqueue), or the current span when there is none.</summary>
    public static Activity? StartFrom(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
}
