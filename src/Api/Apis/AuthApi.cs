namespace Windmill.Jobs.Api.Apis;

/// <summary>Password login and logout (spec 16): a login hands out a session token, as text and as the <c>token</c> cookie.</summary>
public static class AuthApi
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);

    public sealed record Login(string Email, string Password)
    {
        [JsonRequired] public string Email { get; init; } = Email;
        [JsonRequired] public string Password { get; init; } = Password;
    }

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/login", LoginAsync);
        api.MapPost("/auth/logout", Logout);
        api.MapGet("/auth/logout", Logout);
        return api;
    }

    private static async Task<IResult> LoginAsync(WindmillDb db, HttpContext ctx, Login body, CancellationToken ct)
    {
        var email = body.Email.Trim().ToLowerInvariant();
        var user = await db.InstanceUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, ct);
        if (user is null || !PasswordHash.Verify(body.Password, user.PasswordHash))
            throw WindmillError.BadRequest("Invalid login");
        var token = await UsersApi.IssueTokenAsync(db, email, "session", DateTime.UtcNow + SessionLifetime, null, null, ct);
        ctx.Response.Cookies.Append("token", token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = SessionLifetime });
        return Replies.Text(token);
    }

    private static async Task<IResult> Logout(WindmillDb db, AuthCache cache, HttpContext ctx, CancellationToken ct)
    {
        if (TokenAuthenticator.ReadToken(ctx) is { } token)
        {
            var hash = ApiToken.HashOf(token);
            await db.Tokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(ct);
            cache.Invalidate();
        }
        ctx.Response.Cookies.Delete("token");
        return Replies.Text("logged out");
    }
}
