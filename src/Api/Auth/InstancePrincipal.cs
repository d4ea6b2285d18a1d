namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// Who presented a token, before any workspace is involved: an instance user (by email), possibly a
/// superadmin, possibly limited to one workspace and to some scopes; or a job, acting as the identity
/// its token carries (<see cref="Job"/>).
/// </summary>
public sealed record InstancePrincipal(
    string Email,
    bool IsSuperAdmin,
    string? TokenWorkspace,
    IReadOnlyList<string>? Scopes,
    string TokenHash,
    string? FixedUsername = null,
    Windmill.Jobs.Core.Security.JobTokenClaims? Job = null)
{
    public const string SuperadminSecretEmail = "superadmin_secret@windmill.dev";
}
