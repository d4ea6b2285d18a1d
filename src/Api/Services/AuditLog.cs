using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Store.Model;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Audit entries (<c>variables.create</c>, <c>variables.decrypt_secret</c>, ...). Recorded off the request
/// path and written in batches, so reading a secret costs no extra round trip. Parameters must never
/// hold secret values.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db, ILogger<AuditLog> log) : BackgroundService
{
    private readonly Channel<AuditEntry> _pending = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Record(string workspaceId, string username, string operation, string actionKind, string? resource, object? parameters = null)
    {
        var entry = new AuditEntry
        {
            WorkspaceId = workspaceId, Username = username, Operation = operation, ActionKind = actionKind,
            Resource = resource, Parameters = parameters is null ? null : JsonSerializer.Serialize(parameters), Timestamp = DateTime.UtcNow,
        };
        if (!_pending.Writer.TryWrite(entry)) log.LogWarning("audit queue full; dropped {Operation} on {Resource}", operation, resource);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var batch = new List<AuditEntry>(500);
        while (await WaitAsync(stop))
        {
            while (batch.Count < 500 && _pending.Reader.TryRead(out var e)) batch.Add(e);
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception e)
            {
                log.LogError(e, "could not write {Count} audit entries", batch.Count);
            }
            batch.Clear();
        }
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

    private async Task<bool> WaitAsync(CancellationToken stop)
    {
        try { return await _pending.Reader.WaitToReadAsync(stop); }
        catch (OperationCanceledException) { return _pending.Reader.TryPeek(out _); }
    }
}
