using System.Text.Json.Nodes;
using Npgsql;
using Windmill.Jobs.Core.Jobs;
using Windmill.Jobs.Core.Telemetry;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Flows;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;
using Windmill.Jobs.Worker.Schedules;

namespace Windmill.Jobs.Worker.Flows;

/// <summary>
/// Takes a claimed flow job (a flow, or a loop iteration or branch of one) and advances it in one
/// transaction (<see cref="FlowRun"/>), then dispatches the steps it pushed and the flows it woke. A flow
/// that cannot go on (an expression fails, an iterator is not an array, a step's script is missing) fails
/// with a message naming the step. Returns the jobs to run next (new steps, woken flows) for the caller to
/// start here or dispatch.
/// </summary>
public sealed class FlowAdvancer(
    NpgsqlDataSource db, JsEvaluator js, FlowUserStates userStates, ScheduleHandlers handlers, ArgumentResolver resolver,
    JobTokenIssuer tokens, WorkerSettings settings, ILogger<FlowAdvancer> log)
{
    public async Task<IReadOnlyList<DispatchItem>> AdvanceAsync(ClaimedJob flow, CancellationToken ct)
    {
        try { return await InTransactionAsync(flow, run => run.AdvanceAsync(ct), ct); }
        catch (JobFailure f)
        {
            log.LogInformation("flow {JobId} failed: {Message}", flow.Id, f.Message);
            // The advance's transaction went with the error: the failure is recorded in a fresh one.
            return await InTransactionAsync(flow, run => run.CompleteAsync(new JobOutcome(JobStatus.Failure, f.ToResultJson()), ct), ct);
        }
    }

    /// <summary>One transaction on the flow under its claim; once committed, a completed flow's state is dropped and its schedule told.</summary>
    private async Task<IReadOnlyList<DispatchItem>> InTransactionAsync(ClaimedJob flow, Func<FlowRun, Task<IReadOnlyList<DispatchItem>>> work,
        CancellationToken ct)
    {
        await using var tx = await FlowTransaction.BeginAsync(db, flow.Id, flow.ClaimId, ct);
        if (tx is null) return []; // restarted elsewhere
        var run = new FlowRun(flow, tx, js, userStates, settings.Name, (refs, c) => ResolveAsFlowAsync(flow, refs, c));
        var firstAdvance = tx.Status is null; // a flow is advanced many times; it starts once
        var dispatch = await work(run);
        await tx.CommitAsync(ct);
        if (firstAdvance) JobMetrics.JobStarted(flow.Tag);
        if (!run.Completed) return dispatch;
        if (run.IsRoot) await ForgetUserStatesAsync(flow.Id);
        if (run.Outcome is { } outcome)
        {
            JobMetrics.JobFinished(flow.Tag, outcome.Status, DateTime.UtcNow - flow.StartedAt);
            await handlers.AfterCompletionAsync(flow, outcome);
        }
        return dispatch;
    }

    /// <summary>Reads variables and resources through the API as the flow's identity, with a short-lived token of the flow.</summary>
    private async Task<JsonObject> ResolveAsFlowAsync(ClaimedJob flow, JsonObject references, CancellationToken ct)
    {
        var identity = flow.Identity with { ExpiresAtUnix = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds() };
        var token = await tokens.IssueAsync(identity, ct);
        return await resolver.ResolveAsync(references, flow.WorkspaceId, token, flow.Id, ct);
    }

    /// <summary>The completed flow holds its state now; a failed delete is left to the safety expiry.</summary>
    private async Task ForgetUserStatesAsync(Guid flowId)
    {
        try { await userStates.RemoveAsync(flowId); }
        catch (Exception e) { log.LogWarning(e, "could not remove the custom state of flow {JobId}; it expires in {Days} days", flowId, FlowUserStates.SafetyExpiry.TotalDays); }
    }
}
