using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Windmill.Jobs.Runtime;

/// <summary>
/// Custom flow state (spec 5), held in Redis: one hash per running root flow, a field per key, so each set
/// is atomic per key and writers of different keys never clobber each other. The hash lives as long as the
/// flow: when the flow completes its map is copied into the completed job's <c>flow_status.user_states</c>
/// and the hash is deleted; a safety expiry, renewed on each write, removes the hashes of flows that
/// ended while Redis was unreachable.
/// </summary>
public sealed class FlowUserStates(ServiceSettings settings) : IDisposable
{
    public static readonly TimeSpan SafetyExpiry = TimeSpan.FromDays(7);
    private readonly Lazy<ConnectionMultiplexer> _redis = new(() =>
    {
        var options = ConfigurationOptions.Parse(settings.RedisConfiguration);
        options.AbortOnConnectFail = false; // reconnect after a Redis restart instead of failing for good
        options.ConnectTimeout = 5_000;
        options.SyncTimeout = 5_000;
        return ConnectionMultiplexer.Connect(options);
    });

    /// <summary>Whether the flow's state hash exists (it is created by the first write).</summary>
    public Task<bool> ExistsAsync(Guid rootFlow) => Db.KeyExistsAsync(Key(rootFlow));

    /// <summary>A round trip to Redis (readiness).</summary>
    public Task<TimeSpan> PingAsync() => Db.PingAsync();

    private static RedisKey Key(Guid rootFlow) => "wmj:flow_user_states:" + rootFlow;

    private IDatabase Db => _redis.Value.GetDatabase();

    public async Task SetAsync(Guid rootFlow, string key, JsonNode? value)
    {
        var db = Db;
        await db.HashSetAsync(Key(rootFlow), key, value?.ToJsonString() ?? "null");
        await db.KeyExpireAsync(Key(rootFlow), SafetyExpiry);
    }

    /// <summary>The value at a key, or null when the key was never set.</summary>
    public async Task<JsonNode?> GetAsync(Guid rootFlow, string key)
    {
        var value = await Db.HashGetAsync(Key(rootFlow), key);
        return value.IsNull ? null : JsonNode.Parse((string)value!);
    }

    public async Task<JsonObject> ReadAllAsync(Guid rootFlow)
    {
        var all = new JsonObject();
        foreach (var entry in await Db.HashGetAllAsync(Key(rootFlow))) all[(string)entry.Name!] = JsonNode.Parse((string)entry.Value!);
        return all;
    }

    public Task RemoveAsync(Guid rootFlow) => Db.KeyDeleteAsync(Key(rootFlow));

    public void Dispose()
    {
        if (_redis.IsValueCreated) _redis.Value.Dispose();
    }
}
