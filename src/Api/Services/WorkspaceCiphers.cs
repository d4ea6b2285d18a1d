using System.Collections.Concurrent;
using Windmill.Jobs.Api.Extensions;

namespace Windmill.Jobs.Api.Services;

/// <summary>Each workspace's secret cipher (key string + <c>SECRET_SALT</c>), cached for five minutes as Windmill does.</summary>
public sealed class WorkspaceCiphers(ApiSettings settings, IServiceScopeFactory scopes)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (SecretCipher Cipher, DateTime Until)> _cache = new();

    public async ValueTask<SecretCipher> ForAsync(string workspaceId, CancellationToken ct)
    {
        if (_cache.TryGetValue(workspaceId, out var e) && e.Until > DateTime.UtcNow) return e.Cipher;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
        var key = await db.WorkspaceKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId && k.Kind == "cloud").Select(k => k.Key).FirstOrDefaultAsync(ct)
            ?? throw WindmillError.Internal($"workspace {workspaceId} has no encryption key");
        var cipher = new SecretCipher(key + (settings.Services.SecretSalt ?? ""));
        _cache[workspaceId] = (cipher, DateTime.UtcNow + Ttl);
        return cipher;
    }
}
