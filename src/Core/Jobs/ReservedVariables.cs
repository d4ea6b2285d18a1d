using System.Globalization;

namespace Windmill.Jobs.Core.Jobs;

/// <summary>The <c>WM_*</c> environment of a job (spec 6.8); empty strings where a concept does not apply.</summary>
public static class ReservedVariables
{
    public static Dictionary<string, string> For(JobContext job, string token, string baseUrl, string baseInternalUrl)
    {
        var state = StatePath.For(job);
        return new Dictionary<string, string>
        {
            ["WM_WORKSPACE"] = job.WorkspaceId,
            ["WM_TOKEN"] = token,
            ["WM_EMAIL"] = job.Email,
            ["WM_USERNAME"] = job.CreatedBy,
            ["WM_BASE_URL"] = baseUrl,
            ["WM_JOB_ID"] = job.JobId.ToString(),
            ["WM_JOB_PATH"] = job.RunnablePath ?? "",
            ["WM_FLOW_JOB_ID"] = job.ParentJob?.ToString() ?? "",
            ["WM_ROOT_FLOW_JOB_ID"] = (job.FlowInnermostRootJob ?? job.RootJob)?.ToString() ?? "",
            ["WM_ROOT_JOB_ID"] = job.RootJob?.ToString() ?? "",
            ["WM_FLOW_PATH"] = job.FlowPath ?? "",
            ["WM_FLOW_STEP_ID"] = job.FlowStepId ?? "",
            ["WM_SCHEDULE_PATH"] = job.SchedulePath ?? "",
            ["WM_PERMISSIONED_AS"] = job.PermissionedAs,
            ["WM_STATE_PATH"] = state,
            ["WM_STATE_PATH_NEW"] = state,
            ["WM_OBJECT_PATH"] = ObjectPathOf(job),
            ["WM_SCHEDULED_FOR"] = job.ScheduledFor.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["BASE_INTERNAL_URL"] = baseInternalUrl,
            ["BASE_URL"] = baseInternalUrl,
        };
    }

    /// <summary><c>WM_OBJECT_PATH</c>: a unique key prefix for what this execution stores (spec 6.8).</summary>
    public static string ObjectPathOf(JobContext job)
    {
        var trigger = job.SchedulePath?.Replace('/', '_') ?? "manual";
        var stamp = $"{new DateTimeOffset(job.CreatedAt, TimeSpan.Zero).ToUnixTimeMilliseconds()}_{job.JobId}";
        return job.FlowPath is not null
            ? $"{job.FlowPath.Replace('/', '_')}/{trigger}/{job.FlowStepId}/{stamp}"
            : $"{(job.RunnablePath ?? "").Replace('/', '_')}/{trigger}/{stamp}";
    }
}
