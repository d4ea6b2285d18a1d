using MassTransit;
using Windmill.Jobs.Contracts;
using Windmill.Jobs.Store.Assets;

namespace Windmill.Jobs.Api.Consumers;

/// <summary>
/// Writes runtime asset events to the store, a message (up to a thousand events) per statement batch.
/// While the store is down the write fails and the message is retried, staying in RabbitMQ meanwhile, so
/// no event is lost (spec 9.5 drops them; we keep them).
/// </summary>
public sealed class AssetEventsConsumer(AssetStore store, ApiSettings settings) : IConsumer<AssetsUsed>
{
    public async Task Consume(ConsumeContext<AssetsUsed> context)
    {
        await store.WriteJobUsesAsync([.. context.Message.Uses.Select(u =>
            new JobAssetUse(u.Workspace, u.Kind, u.Path, u.Access, u.JobId, u.At.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(u.At, DateTimeKind.Utc) : u.At.ToUniversalTime()))],
            settings.AssetJobUsagesKept, context.CancellationToken);
        Core.Telemetry.JobMetrics.AssetEventsStored(context.Message.Uses.Count);
    }
}
