using MassTransit;
using Windmill.Jobs.Contracts;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Takes a "job is ready" message: waits for a free slot, claims the job (a duplicate or stale message
/// claims nothing and is simply acknowledged), and hands it to the runner. The message is acknowledged
/// once the job is claimed: from then on the job's heartbeat, not the message, keeps it alive.
/// </summary>
public sealed class RunJobConsumer(JobSlots slots, JobClaims claims, JobRunner runner, WorkerSettings settings) : IConsumer<RunJob>
{
    public async Task Consume(ConsumeContext<RunJob> context)
    {
        await slots.WaitAsync(context.CancellationToken);
        ClaimedJob? job;
        try
        {
            job = await claims.ClaimAsync(context.Message.JobId, settings.Name, context.CancellationToken);
        }
        catch
        {
            slots.Release();
            throw;
        }
        if (job is null)
        {
            slots.Release();
            return;
        }
        runner.Start(job, slots.Release);
    }
}
