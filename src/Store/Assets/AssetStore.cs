using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Core.Assets;

namespace Windmill.Jobs.Store.Assets;

/// <summary>
/// The <c>asset</c> table (spec 9.1): static usages replaced on deploy (keeping access modes set by hand
/// while the asset is still detected), runtime job usages (the latest few per asset), and the reads the
/// routes need.
/// </summary>
public sealed class AssetStore(NpgsqlDataSource db)
{
    /// <summary>Replaces a script's or flow's static usages with what detection found, in the deploy's transaction.</summary>
    public static async Task ReplaceStaticAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string workspace, string usageKind, string usagePath,
        IReadOnlyList<DetectedAsset> assets, CancellationToken ct)
    {
        var paths = assets.Select(a => a.Path).ToArray();
        var kinds = assets.Select(a => a.Kind.Name()).ToArray();
        var accesses = assets.Select(a => a.Access?.Name()).ToArray();
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                BatchCommand("""
                    DELETE FROM asset_access_choice c WHERE workspace_id = $1 AND usage_kind = $2::asset_usage_kind AND usage_path = $3
                      AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::text[]) d(path, kind) WHERE d.path = c.path AND d.kind = c.kind::text)
                    """, workspace, usageKind, usagePath, paths, kinds),
                BatchCommand("DELETE FROM asset WHERE workspace_id = $1 AND usage_kind = $2::asset_usage_kind AND usage_path = $3",
                    workspace, usageKind, usagePath),
                BatchCommand("""
                    INSERT INTO asset (workspace_id, path, kind, usage_access_type, usage_path, usage_kind)
                    SELECT $1, d.path, d.kind::asset_kind, CASE WHEN c.path IS NULL THEN d.access::asset_access_type ELSE c.access_type END, $3, $2::asset_usage_kind
                    FROM unnest($4::text[], $5::text[], $6::text[]) d(path, kind, access)
                    LEFT JOIN asset_access_choice c ON c.workspace_id = $1 AND c.usage_kind = $2::asset_usage_kind AND c.usage_path = $3
                      AND c.path = d.path AND c.kind = d.kind::asset_kind
                    """, workspace, usageKind, usagePath, paths, kinds, accesses),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Forgets a deleted script's or flow's static usages and the choices made on them.</summary>
    public static async Task DeleteStaticAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string workspace, string usageKind, string usagePath,
        CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                BatchCommand("DELETE FROM asset WHERE workspace_id = $1 AND usage_kind = $2::asset_usage_kind AND usage_path = $3", workspace, usageKind, usagePath),
                BatchCommand("DELETE FROM asset_access_choice WHERE workspace_id = $1 AND usage_kind = $2::asset_usage_kind AND usage_path = $3",
                    workspace, usageKind, usagePath),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Sets by hand how a script or flow uses an asset it was found to use; false when there is no such usage.</summary>
    public async Task<bool> ChooseAccessAsync(string workspace, string kind, string path, string usageKind, string usagePath, string? access,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var update = Command(conn, tx, """
            UPDATE asset SET usage_access_type = $6::asset_access_type
            WHERE workspace_id = $1 AND kind = $2::asset_kind AND path = $3 AND usage_kind = $4::asset_usage_kind AND usage_path = $5
            """, workspace, kind, path, usageKind, usagePath, access);
        if (await update.ExecuteNonQueryAsync(ct) == 0) return false;
        await using var choose = Command(conn, tx, """
            INSERT INTO asset_access_choice (workspace_id, kind, path, usage_kind, usage_path, access_type)
            VALUES ($1, $2::asset_kind, $3, $4::asset_usage_kind, $5, $6::asset_access_type)
            ON CONFLICT (workspace_id, path, kind, usage_path, usage_kind) DO UPDATE SET access_type = EXCLUDED.access_type
            """, workspace, kind, path, usageKind, usagePath, access);
        await choose.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Writes runtime usages (spec 9.5): one row per job and asset, then only the newest <paramref name="keep"/>
    /// job usages of each asset touched are kept. A job's events merge as spec 9.3 says except for unknown
    /// access: at run time "unknown" only means "given as an argument", so an observed read or write wins over it.
    /// </summary>
    public async Task WriteJobUsesAsync(IReadOnlyList<JobAssetUse> uses, int keep, CancellationToken ct)
    {
        var merged = uses.GroupBy(u => (u.Workspace, u.Kind, u.Path, u.JobId))
            .Select(g => g.Aggregate((a, b) => a with { Access = Merge(a.Access, b.Access), At = a.At > b.At ? a.At : b.At }))
            .GroupBy(u => (u.Workspace, u.Kind, u.Path))
            .SelectMany(g => g.OrderByDescending(u => u.At).Take(keep))
            .ToList();
        if (merged.Count == 0) return;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                BatchCommand("""
                    INSERT INTO asset (workspace_id, path, kind, usage_access_type, usage_path, usage_kind, created_at)
                    SELECT u.ws, u.path, u.kind::asset_kind, u.access::asset_access_type, u.job, 'job', u.at
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) u(ws, kind, path, access, job, at)
                    JOIN workspace w ON w.id = u.ws
                    ON CONFLICT (workspace_id, path, kind, usage_path, usage_kind) DO UPDATE SET
                        usage_access_type = CASE WHEN asset.usage_access_type IS NULL THEN EXCLUDED.usage_access_type
                                                 WHEN EXCLUDED.usage_access_type IS NULL OR asset.usage_access_type = EXCLUDED.usage_access_type
                                                     THEN asset.usage_access_type
                                                 ELSE 'rw' END,
                        created_at = greatest(asset.created_at, EXCLUDED.created_at)
                    """,
                    merged.Select(u => u.Workspace).ToArray(), merged.Select(u => u.Kind).ToArray(), merged.Select(u => u.Path).ToArray(),
                    merged.Select(u => u.Access).ToArray(), merged.Select(u => u.JobId.ToString()).ToArray(), merged.Select(u => u.At).ToArray()),
                BatchCommand("""
                    DELETE FROM asset a USING (
                        SELECT x.workspace_id, x.path, x.kind, x.usage_path,
                               row_number() OVER (PARTITION BY x.workspace_id, x.path, x.kind ORDER BY x.created_at DESC, x.id DESC) AS n
                        FROM asset x
                        JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[])) k(ws, kind, path)
                          ON x.workspace_id = k.ws AND x.kind::text = k.kind AND x.path = k.path
                        WHERE x.usage_kind = 'job') old
                    WHERE old.n > $4 AND a.usage_kind = 'job' AND a.workspace_id = old.workspace_id AND a.path = old.path AND a.kind = old.kind
                      AND a.usage_path = old.usage_path
                    """,
                    merged.Select(u => u.Workspace).ToArray(), merged.Select(u => u.Kind).ToArray(), merged.Select(u => u.Path).ToArray(), keep),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static string? Merge(string? a, string? b) =>
        a is null ? b : b is null ? a : AssetAccesses.Merge(AssetAccesses.Parse(a), AssetAccesses.Parse(b))?.Name();

    /// <summary>A page of assets (grouped by kind and path), newest usage first, after the cursor.</summary>
    public async Task<List<AssetHead>> PageAsync(string workspace, string? pathLike, string[]? kinds, string? usagePathLike,
        (DateTime At, long Id)? after, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            WITH g AS (
                SELECT path, kind, max(created_at) AS created_at, max(id) AS id FROM asset
                WHERE workspace_id = $1 AND ($2::text IS NULL OR path ILIKE $2) AND ($3::text[] IS NULL OR kind::text = ANY($3))
                GROUP BY path, kind
                HAVING $4::text IS NULL OR bool_or(usage_path ILIKE $4))
            SELECT path, kind::text, created_at, id FROM g
            WHERE $5::timestamptz IS NULL OR (created_at, id) < ($5, $6)
            ORDER BY created_at DESC, id DESC LIMIT $7
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = workspace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)pathLike ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)kinds ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)usagePathLike ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after is { } a ? a.At : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after?.Id ?? 0L });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        var heads = new List<AssetHead>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) heads.Add(new AssetHead(r.GetString(0), r.GetString(1), r.GetDateTime(2), r.GetInt64(3)));
        return heads;
    }

    /// <summary>Every usage of the given assets, newest first, with the job's runnable for job usages.</summary>
    public async Task<List<AssetUsageRow>> UsagesOfAsync(string workspace, IReadOnlyList<(string Kind, string Path)> assets, CancellationToken ct)
    {
        await using var cmd = Command("""
            SELECT a.path, a.kind::text, a.usage_kind::text, a.usage_path, a.usage_access_type::text, a.columns::text, a.created_at, j.runnable_path, j.kind
            FROM asset a
            JOIN unnest($2::text[], $3::text[]) w(kind, path) ON w.kind = a.kind::text AND w.path = a.path
            LEFT JOIN v2_job j ON a.usage_kind = 'job' AND j.id = CASE WHEN a.usage_kind = 'job' THEN a.usage_path::uuid END
            WHERE a.workspace_id = $1
            ORDER BY a.created_at DESC, a.id DESC
            """, workspace, assets.Select(a => a.Kind).ToArray(), assets.Select(a => a.Path).ToArray());
        return await ReadUsagesAsync(cmd, ct);
    }

    /// <summary>The assets each usage uses, in the order asked.</summary>
    public async Task<List<List<AssetUsageRow>>> AssetsOfAsync(string workspace, IReadOnlyList<AssetUsageKey> usages, CancellationToken ct)
    {
        await using var cmd = Command("""
            SELECT a.path, a.kind::text, a.usage_kind::text, a.usage_path, a.usage_access_type::text, a.columns::text, a.created_at, NULL, NULL
            FROM asset a JOIN unnest($2::text[], $3::text[]) u(kind, path) ON u.kind = a.usage_kind::text AND u.path = a.usage_path
            WHERE a.workspace_id = $1
            ORDER BY a.path, a.kind
            """, workspace, usages.Select(u => u.Kind).ToArray(), usages.Select(u => u.Path).ToArray());
        var rows = await ReadUsagesAsync(cmd, ct);
        return [.. usages.Select(u => rows.Where(r => r.UsageKind == u.Kind && r.UsagePath == u.Path).ToList())];
    }

    /// <summary>The resource type of each resource path that exists.</summary>
    public async Task<Dictionary<string, string>> ResourceTypesAsync(string workspace, string[] paths, CancellationToken ct)
    {
        await using var cmd = Command("SELECT path, resource_type FROM resource WHERE workspace_id = $1 AND path = ANY($2)", workspace, paths);
        var types = new Dictionary<string, string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) types[r.GetString(0)] = r.GetString(1);
        return types;
    }

    private static async Task<List<AssetUsageRow>> ReadUsagesAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<AssetUsageRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new AssetUsageRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetDateTime(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return rows;
    }

    private NpgsqlCommand Command(string sql, params object?[] values) => WithValues(db.CreateCommand(sql), values);

    private static NpgsqlCommand Command(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, params object?[] values) =>
        WithValues(new NpgsqlCommand(sql, conn, tx), values);

    private static NpgsqlCommand WithValues(NpgsqlCommand cmd, object?[] values)
    {
        foreach (var v in values) cmd.Parameters.Add(Parameter(v));
        return cmd;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var v in values) cmd.Parameters.Add(Parameter(v));
        return cmd;
    }

    /// <summary>Nulls typed as text (or text arrays), so PostgreSQL can infer every parameter.</summary>
    private static NpgsqlParameter Parameter(object? v) => v switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
        DateTime[] t => new NpgsqlParameter { Value = t, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
        string?[] a => new NpgsqlParameter { Value = a.Select(x => (object?)x ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        _ => new NpgsqlParameter { Value = v },
    };
}
