using System.Collections.Concurrent;
using Windmill.Jobs.Api.Extensions;

namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// Short-lived cache of resolved tokens and workspace identities, so a request costs no identity
/// queries in the common case. Any change to memberships, folders, groups or tokens made through this
/// process clears it at once; other replicas see the change after at most <c>AUTH_CACHE_SECONDS</c>.
/// </summary>
public sealed class AuthCache(ApiSettings settings)
{
    private readonly ConcurrentDictionary<string, (InstancePrincipal Principal, long Epoch, DateTime Until)> _principals = new();
    private readonly ConcurrentDictionary<(string, string), (WorkspaceIdentity Identity, long Epoch, DateTime Until)> _identities = new();
    private long _epoch;

    private TimeSpan Ttl => TimeSpan.FromSeconds(settings.AuthCacheSeconds);

    public bool TryGetPrincipal(string tokenHash, out InstancePrincipal principal)
    {
        principal = null!;
        if (!_principals.TryGetValue(tokenHash, out var e) || e.Epoch != Interlocked.Read(ref _epoch) || e.Until < DateTime.UtcNow) return false;
        principal = e.Principal;
        return true;
    }

    public void PutPrincipal(InstancePrincipal p, long epoch)
    {
        if (Ttl > TimeSpan.Zero) _principals[p.TokenHash] = (p, epoch, DateTime.UtcNow + Ttl);
    }

    public bool TryGetIdentity(string tokenHash, string workspace, out WorkspaceIdentity identity)
    {
        identity = null!;
        if (!_identities.TryGetValue((tokenHash, workspace), out var e) || e.Epoch != Interlocked.Read(ref _epoch) || e.Until < DateTime.UtcNow) return false;
        identity = e.Identity;
        return true;
    }

    public void PutIdentity(string tokenHash, WorkspaceIdentity identity, long epoch)
    {
        if (Ttl > TimeSpan.Zero) _identities[(tokenHash, identity.WorkspaceId)] = (identity, epoch, DateTime.UtcNow + Ttl);
    }

    /// <summary>Read before loading, pass to Put: an entry loaded across an invalidation is never served.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public void Invalidate()
    {
        Interlocked.Increment(ref _epoch);
        _principals.Clear();
        _identities.Clear();
    }
}
