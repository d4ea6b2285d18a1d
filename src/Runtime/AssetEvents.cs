using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Windmill.Jobs.Contracts;
using Windmill.Jobs.Core.Assets;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// Where jobs' asset events go (spec 9.5): <see cref="Record"/> never blocks the job; a background loop
/// sends them to the <c>asset-events</c> queue in messages of up to <see cref="MaxPerMessage"/>. The buffer
/// holds <see cref="Capacity"/> events while RabbitMQ is slow or away; past that an event is dropped and
/// logged (a job is never failed or slowed for its asset bookkeeping).
/// </summary>
public sealed class AssetEvents(IBus bus, ILogger<AssetEvents> log) : BackgroundService
{
    public const string Queue = "asset-events";
    private const int Capacity = 500_000, MaxPerMessage = 1_000;

    private readonly Channel<AssetUse> _pending = Channel.CreateBounded<AssetUse>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _dropped;

    public void Record(string workspace, AssetKind kind, string path, AssetAccess? access, Guid jobId)
    {
        if (AssetPathRules.Problem(path) is not null) return;
        if (_pending.Writer.TryWrite(new AssetUse(workspace, kind.Name(), path, access?.Name(), jobId, DateTime.UtcNow))) return;
        Core.Telemetry.JobMetrics.AssetEventDropped();
        if (Interlocked.Increment(ref _dropped) % 10_000 == 1)
            log.LogError("asset events buffer full ({Capacity}): {Dropped} events dropped so far", Capacity, Interlocked.Read(ref _dropped));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AssetUse>(MaxPerMessage);
        while (await _pending.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (batch.Count < MaxPerMessage && _pending.Reader.TryRead(out var use)) batch.Add(use);
            await SendAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    private async Task SendAsync(List<AssetUse> batch, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + Queue));
                await endpoint.Send(new AssetsUsed([.. batch]), ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The bus reconnects by itself; events wait in the buffer meanwhile.
                if (attempt % 10 == 0) log.LogWarning(e, "cannot send {Count} asset events yet; retrying", batch.Count);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(1 + attempt, 10)), ct);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The loop sends what is buffered, then ends; registered after the bus, this stops before it.
        _pending.Writer.TryComplete();
        if (ExecuteTask is { } running) await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
        if (_pending.Reader.Count > 0) log.LogWarning("{Count} asset events not sent before shutdown were dropped", _pending.Reader.Count);
        await base.StopAsync(cancellationToken);
    }
}
