using MassTransit;
using Windmill.Jobs.Contracts;
using Windmill.Jobs.Store.Jobs;
using Windmill.Jobs.Worker.Extensions;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>
/// Takes a "job is ready" message: waits for a free slot, claims the job (a duplicate or stale message
/// claims nothing and is simply acknowledged), and hands it to the runner. The message is acknowledged
/// once the job is claimed: from then on the job's heartbeat, not the message, keeps it alive. A worker that
/// is shutting down claims nothing more: the message waits unacknowledged until the bus stops, and RabbitMQ
/// gives it to another worker.
/// </summary>
public sealed class RunJobConsumer(JobSlots slots, JobClaims claims, JobRunner runner, WorkerSettings settings) : IConsumer<RunJob>
{
    public async Task Consume(ConsumeContext<RunJob> context)
    {
        if (runner.Draining) await Task.Delay(Timeout.Infinite, context.CancellationToken);
        await slots.WaitAsync(context.CancellationToken);
        if (runner.Draining)
        {
            slots.Release();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
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
