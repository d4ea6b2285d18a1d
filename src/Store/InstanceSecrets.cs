using Npgsql;

namespace Windmill.Jobs.Store;

/// <summary>Instance-wide secrets created at first start (table <c>instance_secret</c>).</summary>
public static class InstanceSecrets
{
    public const string JobTokenKey = "job_token_key";

    public static async Task<byte[]> ReadAsync(NpgsqlDataSource db, string name, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT value FROM instance_secret WHERE name = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = name });
        return await cmd.ExecuteScalarAsync(ct) as byte[]
            ?? throw new InvalidOperationException($"instance secret {name} is missing; start the API once to create it");
    }
}
