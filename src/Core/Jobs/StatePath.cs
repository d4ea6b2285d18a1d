namespace Windmill.Jobs.Core.Jobs;

/// <summary>
/// Where a job keeps its state between runs of the same trigger (spec 4.2, exactly as Windmill's code):
/// per script, per flow step, and per schedule (each schedule runs as its own synthetic user).
/// </summary>
public static class StatePath
{
    public static string Compute(string username, string? path, string? flowPath, string? stepId, string? schedulePath)
    {
        var trigger = schedulePath is not null ? username : "user";
        if (flowPath is not null) return $"{flowPath}/{stepId ?? "nostep"}_{trigger}";
        if (path is not null) return (path.EndsWith('/') ? path + "state" : path) + "/" + trigger;
        return $"u/{username}/tmp_state";
    }

    public static string For(JobContext job) =>
        Compute(job.CreatedBy, job.RunnablePath, job.FlowPath, job.FlowStepId, job.SchedulePath);

    /// <summary>The synthetic user a schedule's jobs run as: <c>schedule-</c> + the path with '/' → '-'.</summary>
    public static string ScheduleUser(string schedulePath) => "schedule-" + schedulePath.Replace('/', '-');
}
