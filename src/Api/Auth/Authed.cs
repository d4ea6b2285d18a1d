namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// The caller of a workspace route (<c>/api/w/{workspace}/...</c>), bound as a handler parameter:
/// authenticates the token and resolves the identity in that workspace, or answers 401/404.
/// </summary>
public sealed class Authed
{
    public required InstancePrincipal Principal { get; init; }
    public required WorkspaceIdentity Identity { get; init; }

    public string Workspace => Identity.WorkspaceId;
    public string Username => Identity.Username;

    public static async ValueTask<Authed> BindAsync(HttpContext ctx)
    {
        var workspace = ctx.Request.RouteValues["workspace"] as string
            ?? throw new InvalidOperationException("Authed is for routes under /api/w/{workspace}");
        var principal = await ctx.RequestServices.GetRequiredService<TokenAuthenticator>().AuthenticateAsync(ctx);
        var identity = await ctx.RequestServices.GetRequiredService<IdentityResolver>().ResolveAsync(principal, workspace, ctx.RequestAborted);
        return new Authed { Principal = principal, Identity = identity };
    }

    /// <summary>Token scopes (spec 11): a token without scopes has its owner's full rights.</summary>
    public void RequireScope(string required)
    {
        if (!TokenScopes.Allows(Principal.Scopes, required))
            throw WindmillError.PermissionDenied($"this token lacks the scope {required}");
    }

    public void RequireAdmin(string what)
    {
        if (!Identity.IsAdmin) throw WindmillError.RequireAdmin(what);
    }

    /// <summary>Operators may run what they can see but not create or edit (spec 1.1).</summary>
    public void RequireWriter(string what)
    {
        if (Identity.IsOperator) throw WindmillError.PermissionDenied($"operators cannot {what}");
    }
}

/// <summary>The caller of an instance route (<c>/api/users</c>, <c>/api/workspaces</c>): a token, no workspace.</summary>
public sealed class InstanceAuthed
{
    public required InstancePrincipal Principal { get; init; }

    public static async ValueTask<InstanceAuthed> BindAsync(HttpContext ctx) =>
        new() { Principal = await ctx.RequestServices.GetRequiredService<TokenAuthenticator>().AuthenticateAsync(ctx) };

    public void RequireSuperAdmin(string what)
    {
        if (!Principal.IsSuperAdmin) throw WindmillError.RequireAdmin(what + " (superadmin)");
    }
}
