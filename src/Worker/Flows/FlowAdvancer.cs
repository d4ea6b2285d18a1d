using Npgsql;
using Windmill.Jobs.Core.Jobs;
using Windmill.Jobs.Runtime;
using Windmill.Jobs.Store.Flows;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Execution;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Flows;

/// <summary>
/// Takes a claimed flow job (a flow, or a loop iteration or branch of one) and advances it in one
/// transaction (<see cref="FlowRun"/>), then dispatches the steps it pushed and the flows it woke. A flow
/// that cannot go on (an expression fails, an iterator is not an array, a step's script is missing) fails
/// with a message naming the step.
/// </summary>
public sealed class FlowAdvancer(NpgsqlDataSource db, JsEvaluator js, JobDispatcher dispatcher, WorkerSettings settings, ILogger<FlowAdvancer> log)
{
    public async Task AdvanceAsync(ClaimedJob flow, CancellationToken ct)
    {
        IReadOnlyList<DispatchItem> dispatch;
        try
        {
            await using var tx = await FlowTransaction.BeginAsync(db, flow.Id, flow.ClaimId, ct);
            if (tx is null) return; // restarted elsewhere
            dispatch = await new FlowRun(flow, tx, js, settings.Name).AdvanceAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (JobFailure f)
        {
            log.LogInformation("flow {JobId} failed: {Message}", flow.Id, f.Message);
            await using var tx = await FlowTransaction.BeginAsync(db, flow.Id, flow.ClaimId, ct);
            if (tx is null) return;
            var completed = await tx.CompleteAsync(new JobOutcome(JobStatus.Failure, f.ToResultJson()), tx.Status ?? [], settings.Name, ct);
            await tx.CommitAsync(ct);
            dispatch = completed.WokenParents;
        }
        await dispatcher.DispatchAllAsync(dispatch);
    }
}
