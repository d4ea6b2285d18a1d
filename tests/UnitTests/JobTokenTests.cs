using Windmill.Jobs.Core.Security;

namespace Windmill.Jobs.UnitTests;

public class JobTokenTests
{
    private static readonly JobToken Tokens = new("0123456789abcdef0123456789abcdef"u8.ToArray());
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static JobTokenClaims Claims(DateTimeOffset exp) =>
        JobTokenClaims.From(PathPermissionsTests.Who("alice", groups: ["ops"], read: ["etl"]), Guid.NewGuid(), exp);

    [Fact]
    public void Issued_token_validates_to_the_same_identity()
    {
        var claims = Claims(Now.AddHours(1));
        var token = Tokens.Issue(claims);
        Assert.StartsWith("jwt_", token);
        var back = Tokens.Validate(token, Now)!;
        Assert.Equal("alice", back.Username);
        Assert.Contains("ops", back.ToIdentity().Groups);
        Assert.Contains("etl", back.ToIdentity().FoldersRead);
        Assert.Equal(claims.JobId, back.ToIdentity().JobId);
    }

    [Fact]
    public void Tampered_expired_or_foreign_tokens_fail()
    {
        var token = Tokens.Issue(Claims(Now.AddHours(1)));
        var parts = token.Split('.');
        var forged = parts[0] + "." + parts[1].Replace('a', 'b') + "." + parts[2];
        Assert.Null(Tokens.Validate(forged, Now));
        Assert.Null(Tokens.Validate(Tokens.Issue(Claims(Now.AddSeconds(-1))), Now));
        Assert.Null(new JobToken("another-secret-another-secret-xx"u8.ToArray()).Validate(token, Now));
        Assert.Null(Tokens.Validate("not-a-jwt", Now));
    }
}
