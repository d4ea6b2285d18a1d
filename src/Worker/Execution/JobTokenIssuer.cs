using Npgsql;
using Windmill.Jobs.Core.Security;
using Windmill.Jobs.Store;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>Mints job tokens with the instance's signing key (read once from the store).</summary>
public sealed class JobTokenIssuer(NpgsqlDataSource db)
{
    private JobToken? _tokens;

    public async ValueTask<string> IssueAsync(JobTokenClaims claims, CancellationToken ct)
    {
        _tokens ??= new JobToken(await InstanceSecrets.ReadAsync(db, InstanceSecrets.JobTokenKey, ct));
        return _tokens.Issue(claims);
    }
}
