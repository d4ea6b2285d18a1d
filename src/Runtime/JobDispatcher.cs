using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Windmill.Jobs.Contracts;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// Puts "job is ready" messages on RabbitMQ after the job row is committed. Declares each tag's queue
/// once per process, publishes with the job's priority (publisher confirms: the call returns once the
/// broker has the message), and records confirmed dispatches in batches so recovery knows which jobs
/// still need one. The API dispatches new jobs; workers dispatch the flow steps and woken flows they create.
/// </summary>
public sealed class JobDispatcher(IBus bus, ServiceSettings settings, JobQueueWriter writer, ILogger<JobDispatcher> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, bool> _declared = new();
    private readonly SemaphoreSlim _declareGate = new(1, 1);
    private readonly ConcurrentQueue<Guid> _confirmed = new();
    private IConnection? _connection;

    public async Task DispatchAsync(DispatchItem job, CancellationToken ct)
    {
        await EnsureQueueAsync(job.Tag, ct);
        await bus.Publish(new RunJob(job.Id, job.Tag), ctx =>
        {
            ctx.SetRoutingKey(job.Tag);
            ctx.SetPriority(JobBusTopology.RabbitPriority(job.Priority));
        }, ct);
        _confirmed.Enqueue(job.Id);
    }

    /// <summary>
    /// Dispatches jobs already committed (new flow steps, woken flows). A failed publish is only logged:
    /// the leader's sweep dispatches what was never confirmed.
    /// </summary>
    public async Task DispatchAllAsync(IEnumerable<DispatchItem> jobs)
    {
        foreach (var job in jobs)
        {
            try { await DispatchAsync(job, CancellationToken.None); }
            catch (Exception e) { log.LogWarning(e, "could not dispatch job {JobId}; the recovery sweep will", job.Id); }
        }
    }

    private async Task EnsureQueueAsync(string tag, CancellationToken ct)
    {
        if (_declared.ContainsKey(tag)) return;
        await _declareGate.WaitAsync(ct);
        try
        {
            if (_declared.ContainsKey(tag)) return;
            if (_connection is not { IsOpen: true })
                _connection = await new ConnectionFactory { Uri = settings.RabbitMqUrl }.CreateConnectionAsync("windmill-jobs-api-topology", ct);
            await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
            await JobBusTopology.DeclareQueueAsync(channel, tag, ct);
            _declared[tag] = true;
        }
        finally { _declareGate.Release(); }
    }

    /// <summary>Flushes confirmed dispatches every 100 ms, in one UPDATE per batch.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var running = true;
        while (running)
        {
            try { running = await timer.WaitForNextTickAsync(stop); }
            catch (OperationCanceledException) { running = false; }
            var batch = new List<Guid>();
            while (batch.Count < 5000 && _confirmed.TryDequeue(out var id)) batch.Add(id);
            if (batch.Count == 0) continue;
            try { await writer.MarkDispatchedAsync(batch, CancellationToken.None); }
            catch (Exception e) { log.LogWarning(e, "could not record {Count} dispatches; recovery will dispatch them again", batch.Count); }
        }
    }

    public override void Dispose()
    {
        _connection?.Dispose();
        base.Dispose();
    }
}
