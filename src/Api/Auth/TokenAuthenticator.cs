using System.Security.Cryptography;
using System.Text;
using Windmill.Jobs.Api.Extensions;

namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// Reads the caller's token (<c>Authorization: Bearer</c>, the <c>token</c> cookie, or <c>?token=</c>)
/// and finds who it belongs to. <c>SUPERADMIN_SECRET</c> is accepted as a superadmin token.
/// </summary>
public sealed class TokenAuthenticator(ApiSettings settings, AuthCache cache, IServiceScopeFactory scopes, JobTokens jobTokens)
{
    public static string? ReadToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (ctx.Request.Cookies.TryGetValue("token", out var cookie) && cookie.Length > 0) return cookie;
        var query = ctx.Request.Query["token"].ToString();
        return query.Length > 0 ? query : null;
    }

    public async ValueTask<InstancePrincipal> AuthenticateAsync(HttpContext ctx)
    {
        var token = ReadToken(ctx) ?? throw WindmillError.NotAuthorized("missing token: send Authorization: Bearer <token>");
        var hash = ApiToken.HashOf(token);
        if (cache.TryGetPrincipal(hash, out var cached)) return cached;
        var epoch = cache.Epoch;

        InstancePrincipal principal;
        if (token.StartsWith(JobToken.Prefix, StringComparison.Ordinal))
        {
            var claims = (await jobTokens.GetAsync(ctx.RequestAborted)).Validate(token, DateTimeOffset.UtcNow)
                ?? throw WindmillError.NotAuthorized("invalid or expired job token");
            principal = new InstancePrincipal(claims.Email, false, claims.WorkspaceId, null, hash, claims.Username, claims);
        }
        else if (settings.SuperadminSecret is { } secret && FixedTimeEquals(token, secret))
        {
            principal = new InstancePrincipal(InstancePrincipal.SuperadminSecretEmail, true, null, null, hash, "superadmin_secret");
        }
        else
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WindmillDb>();
            var row = await db.Tokens.AsNoTracking()
                .Where(t => t.TokenHash == hash)
                .Select(t => new { t.Email, t.Expiration, t.WorkspaceId, t.Scopes, SuperAdmin = db.InstanceUsers.Where(u => u.Email == t.Email).Select(u => u.SuperAdmin).FirstOrDefault() })
                .FirstOrDefaultAsync(ctx.RequestAborted)
                ?? throw WindmillError.NotAuthorized("invalid token");
            if (row.Expiration is { } exp && exp < DateTime.UtcNow) throw WindmillError.NotAuthorized("token expired");
            principal = new InstancePrincipal(row.Email, row.SuperAdmin, row.WorkspaceId, row.Scopes, hash);
        }
        cache.PutPrincipal(principal, epoch);
        return principal;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
