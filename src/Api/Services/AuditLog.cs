using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Audit entries (<c>variables.create</c>, <c>variables.decrypt_secret</c>, ...), recorded off the request
/// path and written in batches by binary COPY. Repeated reads (same workspace, user, operation and object)
/// within one flush become one row with <c>{"count": n}</c>: a job fleet reading a secret 2,000 times a
/// second would otherwise write 170 million rows a day. Parameters must never hold secret values.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db, ILogger<AuditLog> log) : BackgroundService
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private const int MaxPendingChanges = 50_000;

    private readonly record struct ReadKey(string WorkspaceId, string Username, string Operation, string? Resource);

    private readonly Channel<AuditEntry> _changes = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(MaxPendingChanges) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private ConcurrentDictionary<ReadKey, int> _reads = new();

    /// <summary>A change (create, update, delete, ...): one row each.</summary>
    public void Record(string workspaceId, string username, string operation, string actionKind, string? resource, object? parameters = null)
    {
        var entry = new AuditEntry
        {
            WorkspaceId = workspaceId, Username = username, Operation = operation, ActionKind = actionKind,
            Resource = resource, Parameters = parameters is null ? null : JsonSerializer.Serialize(parameters), Timestamp = DateTime.UtcNow,
        };
        if (!_changes.Writer.TryWrite(entry)) log.LogWarning("audit queue full; dropped {Operation} on {Resource}", operation, resource);
    }

    /// <summary>A read (e.g. of a secret): counted, and written once per flush per reader and object.</summary>
    public void RecordRead(string workspaceId, string username, string operation, string? resource) =>
        _reads.AddOrUpdate(new ReadKey(workspaceId, username, operation, resource), 1, (_, n) => n + 1);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(FlushEvery);
        var running = true;
        while (running)
        {
            try { running = await timer.WaitForNextTickAsync(stop); }
            catch (OperationCanceledException) { running = false; }
            await FlushAsync(); // also once more on shutdown
        }
    }

    private async Task FlushAsync()
    {
        var batch = new List<AuditEntry>();
        while (_changes.Reader.TryRead(out var e)) batch.Add(e);
        var reads = Interlocked.Exchange(ref _reads, new ConcurrentDictionary<ReadKey, int>());
        var now = DateTime.UtcNow;
        foreach (var (k, count) in reads)
            batch.Add(new AuditEntry
            {
                WorkspaceId = k.WorkspaceId, Username = k.Username, Operation = k.Operation, ActionKind = "Execute",
                Resource = k.Resource, Parameters = count > 1 ? $$"""{"count":{{count}}}""" : null, Timestamp = now,
            });
        if (batch.Count == 0) return;
        try { await WriteAsync(batch); }
        catch (Exception e) { log.LogError(e, "could not write {Count} audit entries", batch.Count); }
    }

    /// <summary>Binary COPY: one round trip and no change tracking for a whole batch.</summary>
    private async Task WriteAsync(List<AuditEntry> batch)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY audit (workspace_id, username, operation, action_kind, resource, parameters, timestamp) FROM STDIN (FORMAT BINARY)");
        foreach (var e in batch)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(e.WorkspaceId, NpgsqlDbType.Varchar);
            await copy.WriteAsync(e.Username, NpgsqlDbType.Varchar);
            await copy.WriteAsync(e.Operation, NpgsqlDbType.Varchar);
            await copy.WriteAsync(e.ActionKind, NpgsqlDbType.Varchar);
            if (e.Resource is null) await copy.WriteNullAsync(); else await copy.WriteAsync(e.Resource, NpgsqlDbType.Varchar);
            if (e.Parameters is null) await copy.WriteNullAsync(); else await copy.WriteAsync(e.Parameters, NpgsqlDbType.Jsonb);
            await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz);
        }
        await copy.CompleteAsync();
    }
}
