using MassTransit;
using RabbitMQ.Client;
using Windmill.Jobs.Contracts;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// How jobs travel on RabbitMQ: <see cref="RunJob"/> messages are published to the direct exchange
/// <c>wmj.jobs</c> with the job's tag as routing key; each tag has a durable priority queue
/// <c>jobs.&lt;tag&gt;</c> bound to it. The API declares a tag's queue before its first publish, so no
/// message is ever unroutable, even before a worker for that tag has started.
/// </summary>
public static class JobBusTopology
{
    public const string Exchange = "wmj.jobs";
    public const int MaxPriority = 10;

    public static string QueueOf(string tag) => "jobs." + tag;

    public static Dictionary<string, object?> QueueArguments => new() { ["x-max-priority"] = MaxPriority };

    /// <summary>Windmill priorities run 0-100; RabbitMQ priority queues work best with few levels.</summary>
    public static byte RabbitPriority(short? priority) => (byte)Math.Clamp((priority ?? 0) / 10, 0, MaxPriority);

    /// <summary>Both sides: RunJob goes to the direct exchange.</summary>
    public static void Configure(IRabbitMqBusFactoryConfigurator cfg)
    {
        cfg.Message<RunJob>(m => m.SetEntityName(Exchange));
        cfg.Publish<RunJob>(p => p.ExchangeType = ExchangeType.Direct);
    }

    /// <summary>Worker side: the tag's queue, bound to the exchange by its tag.</summary>
    public static void ConfigureQueue(IRabbitMqReceiveEndpointConfigurator e, string tag)
    {
        e.ConfigureConsumeTopology = false;
        e.SetQueueArgument("x-max-priority", MaxPriority);
        e.Bind(Exchange, b =>
        {
            b.ExchangeType = ExchangeType.Direct;
            b.RoutingKey = tag;
        });
    }

    /// <summary>API side: declares what <see cref="ConfigureQueue"/> declares, with the same arguments.</summary>
    public static async Task DeclareQueueAsync(IChannel channel, string tag, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(QueueOf(tag), durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments, cancellationToken: ct);
        await channel.QueueBindAsync(QueueOf(tag), Exchange, tag, cancellationToken: ct);
    }
}
