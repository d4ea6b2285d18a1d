using Npgsql;

namespace Windmill.Jobs.Store.Flows;

/// <summary>
/// Which running flows have custom flow state in Redis (<c>flow_user_state_written</c>). With it, a state
/// hash missing from Redis is told apart: never written (read as null) or lost to a Redis restart (an error).
/// </summary>
public sealed class FlowStateLedger(NpgsqlDataSource db)
{
    public async Task MarkWrittenAsync(Guid rootFlow, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("INSERT INTO flow_user_state_written (id) VALUES ($1) ON CONFLICT DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = rootFlow });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> WasWrittenAsync(Guid rootFlow, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM flow_user_state_written WHERE id = $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = rootFlow });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
