namespace Windmill.Jobs.Api.Jobs;

/// <summary>A job's context as the API sees it: for <c>$WM_*</c> strings resolved on a job's behalf (spec 3.5).</summary>
public sealed class JobContexts(JobReader jobs, ApiSettings settings)
{
    /// <summary>The <c>WM_*</c> variables of a job the caller can see; <c>WM_TOKEN</c> is the caller's own token.</summary>
    public async ValueTask<IReadOnlyDictionary<string, string>?> ReservedVariablesAsync(Authed who, Guid jobId, string token, CancellationToken ct)
    {
        var job = await jobs.GetAsync(who.Workspace, jobId, ct) ?? throw WindmillError.NotFound($"Job {jobId} not found");
        if (!JobJson.CanSee(who, job)) throw WindmillError.NotAuthorized($"Job {jobId} exists but you don't have access to it");
        var flowPath = job.ParentJob is { } parent ? (await jobs.GetAsync(who.Workspace, parent, ct))?.RunnablePath : null;
        var context = new JobContext(job.WorkspaceId, job.Id, job.CreatedBy, job.PermissionedAs, job.Email, job.RunnablePath,
            job.ParentJob, job.RootJob, job.FlowInnermostRootJob, flowPath, job.FlowStepId, job.SchedulePath,
            job.ScheduledFor ?? job.CreatedAt, job.CreatedAt);
        return ReservedVariables.For(context, token, settings.BaseUrl, settings.Services.BaseInternalUrl);
    }
}
