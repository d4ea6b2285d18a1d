using System.Diagnostics.Metrics;

namespace Windmill.Jobs.Core.Telemetry;

/// <summary>
/// The job counters and histogram (issue 7): enqueued (where the job is written: the API, or the worker pushing
/// a flow's steps), started and finished by outcome (worker; a flow once, at its first and its last advance;
/// canceled also by the API for a job that never ran), by tag;
/// job duration in seconds; runtime asset events written (API) and dropped (both).
/// </summary>
public static class JobMetrics
{
    private static readonly Counter<long> Enqueued = Instrumentation.Meter.CreateCounter<long>("wmj.jobs.enqueued", description: "jobs enqueued");
    private static readonly Counter<long> Started = Instrumentation.Meter.CreateCounter<long>("wmj.jobs.started", description: "jobs a worker started");
    private static readonly Counter<long> Completed = Instrumentation.Meter.CreateCounter<long>("wmj.jobs.completed", description: "jobs that succeeded");
    private static readonly Counter<long> Failed = Instrumentation.Meter.CreateCounter<long>("wmj.jobs.failed", description: "jobs that failed");
    private static readonly Counter<long> Canceled = Instrumentation.Meter.CreateCounter<long>("wmj.jobs.canceled", description: "jobs canceled (by a user or a timeout)");
    private static readonly Histogram<double> Duration = Instrumentation.Meter.CreateHistogram<double>("wmj.jobs.duration", "s", "job run time, start to completion");
    private static readonly Counter<long> AssetEventsWritten = Instrumentation.Meter.CreateCounter<long>("wmj.asset_events.written", description: "runtime asset events written to the store");
    private static readonly Counter<long> AssetEventsDropped = Instrumentation.Meter.CreateCounter<long>("wmj.asset_events.dropped", description: "runtime asset events dropped (buffer full)");

    private static KeyValuePair<string, object?> Tag(string tag) => new("tag", tag);

    public static void JobEnqueued(string tag) => Enqueued.Add(1, Tag(tag));
    public static void JobStarted(string tag) => Started.Add(1, Tag(tag));

    /// <param name="status">The completed job's status: <c>success</c> or <c>skipped</c> (completed), <c>failure</c>, <c>canceled</c>.</param>
    public static void JobFinished(string tag, string status, TimeSpan duration)
    {
        (status switch { "success" or "skipped" => Completed, "canceled" => Canceled, _ => Failed }).Add(1, Tag(tag));
        Duration.Record(duration.TotalSeconds, Tag(tag));
    }

    /// <summary>A job canceled before any worker ran it (the API completes it at once, spec 6.10).</summary>
    public static void JobCanceledWhileWaiting(string tag) => Canceled.Add(1, Tag(tag));

    public static void AssetEventsStored(int count) => AssetEventsWritten.Add(count);
    public static void AssetEventDropped() => AssetEventsDropped.Add(1);
}
