using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Windmill.Jobs.Core.Security;

/// <summary>The identity a job acts as, carried in its token (spec 6.9): the pusher's permissions at push time.</summary>
public sealed record JobTokenClaims(
    [property: JsonPropertyName("workspace_id")] string WorkspaceId,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("is_admin")] bool IsAdmin,
    [property: JsonPropertyName("is_operator")] bool IsOperator,
    [property: JsonPropertyName("groups")] string[] Groups,
    [property: JsonPropertyName("folders_read")] string[] FoldersRead,
    [property: JsonPropertyName("folders_write")] string[] FoldersWrite,
    [property: JsonPropertyName("folders_owned")] string[] FoldersOwned,
    [property: JsonPropertyName("job_id")] Guid JobId,
    [property: JsonPropertyName("exp")] long ExpiresAtUnix)
{
    public WorkspaceIdentity ToIdentity() => new(WorkspaceId, Username, Email, IsAdmin, IsOperator, false,
        Groups.ToHashSet(), FoldersRead.ToHashSet(), FoldersWrite.ToHashSet(), FoldersOwned.ToHashSet(), JobId: JobId);

    public static JobTokenClaims From(WorkspaceIdentity who, Guid jobId, DateTimeOffset expires) => new(
        who.WorkspaceId, who.Username, who.Email, who.IsAdmin, who.IsOperator, who.Groups.ToArray(),
        who.FoldersRead.ToArray(), who.FoldersWrite.ToArray(), who.FoldersOwned.ToArray(), jobId, expires.ToUnixTimeSeconds());
}

/// <summary>
/// Job tokens: <c>jwt_</c> + an HS256 JWT signed with the instance secret, so any API replica checks one
/// without a database lookup. The API also refuses a token whose job has finished.
/// </summary>
public sealed class JobToken(byte[] secret)
{
    public const string Prefix = "jwt_";
    private static readonly string Header = B64(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));

    public string Issue(JobTokenClaims claims)
    {
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        return $"{Prefix}{Header}.{payload}.{Sign(Header + "." + payload)}";
    }

    /// <summary>The claims of a valid, unexpired token; null for anything else.</summary>
    public JobTokenClaims? Validate(string token, DateTimeOffset now)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 3 || parts[0] != Header) return null;
        var expected = Encoding.ASCII.GetBytes(Sign(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2]))) return null;
        try
        {
            var claims = JsonSerializer.Deserialize<JobTokenClaims>(FromB64(parts[1]));
            return claims is not null && claims.ExpiresAtUnix > now.ToUnixTimeSeconds() ? claims : null;
        }
        catch (Exception e) when (e is JsonException or FormatException) { return null; }
    }

    private string Sign(string data) => B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(data)));

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }
}
