using System.Collections.Concurrent;
using Npgsql;
using Windmill.Jobs.Store.Jobs;

namespace Windmill.Jobs.Api.Auth;

/// <summary>
/// Checks job tokens (spec 6.9): the signing key comes from the store once; whether a token's job is
/// still queued or running is remembered for two seconds, so a job's calls cost no extra query each and
/// its token stops working at most two seconds after the job ends.
/// </summary>
public sealed class JobTokens(NpgsqlDataSource db, JobReader jobs)
{
    private static readonly TimeSpan LivenessTtl = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<Guid, (bool Live, DateTime Until)> _liveness = new();
    private JobToken? _tokens;

    public async ValueTask<JobToken> GetAsync(CancellationToken ct) =>
        _tokens ??= new JobToken(await InstanceSecrets.ReadAsync(db, InstanceSecrets.JobTokenKey, ct));

    public async ValueTask<bool> IsJobLiveAsync(Guid jobId, CancellationToken ct)
    {
        if (_liveness.TryGetValue(jobId, out var e) && e.Until > DateTime.UtcNow) return e.Live;
        var live = await jobs.IsLiveAsync(jobId, ct);
        _liveness[jobId] = (live, DateTime.UtcNow + LivenessTtl);
        if (_liveness.Count > 100_000) _liveness.Clear();
        return live;
    }
}
