using System.Text.Json;
using System.Threading.Channels;
using Windmill.Jobs.Store;
using Windmill.Jobs.Store.Model;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Audit entries (<c>variables.create</c>, <c>variables.decrypt_secret</c>, ...). Recorded off the request
/// path and written in batches, so reading a secret costs no extra round trip. Parameters must never
/// hold secret values.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, ILogger<AuditLog> log) : BackgroundService
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
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
                db.Audit.AddRange(batch);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                log.LogError(e, "could not write {Count} audit entries", batch.Count);
            }
            batch.Clear();
        }
    }

    private async Task<bool> WaitAsync(CancellationToken stop)
    {
        try { return await _pending.Reader.WaitToReadAsync(stop); }
        catch (OperationCanceledException) { return _pending.Reader.TryPeek(out _); }
    }
}
