using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Reads the variables and resources an interpolation refers to, as the caller. Reading a resource
/// loads its whole <c>$res:</c> tree and the variables it names in one round trip; permissions are
/// checked per object when it is used, so the error a caller sees is the one for the first reference
/// in walk order.
/// </summary>
public sealed class StoreReferenceSource(
    Authed who, NpgsqlDataSource db, SecretReveal reveal,
    Func<CancellationToken, ValueTask<IReadOnlyDictionary<string, string>?>>? reservedVariables = null)
    : IReferenceSource
{
    private sealed record Row(string Value, bool IsSecret, string ExtraPerms);

    private readonly Dictionary<string, Row?> _variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Row?> _resources = new(StringComparer.Ordinal);

    private IReadOnlyDictionary<string, string>? _reserved;
    private bool _reservedLoaded;

    /// <summary>The job's <c>WM_*</c> variables, looked up once and only if a value asks for one.</summary>
    public async ValueTask<IReadOnlyDictionary<string, string>?> ReservedVariablesAsync(CancellationToken ct)
    {
        if (!_reservedLoaded)
        {
            _reserved = reservedVariables is null ? null : await reservedVariables(ct);
            _reservedLoaded = true;
        }
        return _reserved;
    }

    /// <summary>
    /// One statement loads the asked resources, every resource they reach through <c>$res:</c> strings
    /// (cycle-safe, at most 50 deep), and every variable any of them or the caller names. Rows the caller
    /// may not read are loaded too but never used: permissions are checked when an object is used.
    /// </summary>
    private const string TreeSql = """
        WITH RECURSIVE tree(path, value, extra_perms, chain) AS (
            SELECT r.path, r.value, r.extra_perms, ARRAY[r.path]::text[]
            FROM resource r WHERE r.workspace_id = $1 AND r.path = ANY($2)
          UNION ALL
            SELECT r.path, r.value, r.extra_perms, t.chain || r.path::text
            FROM tree t
            CROSS JOIN LATERAL jsonb_path_query(t.value, 'strict $.**') AS s(node)
            JOIN resource r ON r.workspace_id = $1 AND r.path = substr(s.node #>> '{}', 6)
            WHERE jsonb_typeof(s.node) = 'string' AND starts_with(s.node #>> '{}', '$res:')
              AND NOT r.path = ANY(t.chain) AND cardinality(t.chain) < 50
        ),
        refs AS (
            SELECT DISTINCT s.node #>> '{}' AS ref
            FROM tree t CROSS JOIN LATERAL jsonb_path_query(t.value, 'strict $.**') AS s(node)
            WHERE jsonb_typeof(s.node) = 'string' AND starts_with(s.node #>> '{}', '$')
        )
        (SELECT DISTINCT ON (path) true, path, value::text, false, extra_perms::text FROM tree ORDER BY path)
        UNION ALL
        SELECT false, v.path, v.value, v.is_secret, v.extra_perms::text FROM variable v
        WHERE v.workspace_id = $1 AND (v.path = ANY($3) OR v.path IN (
            SELECT substr(ref, 6) FROM refs WHERE starts_with(ref, '$var:') OR starts_with(ref, '$VAR:')
            UNION ALL SELECT substr(ref, 10) FROM refs WHERE starts_with(ref, '$jsonvar:')))
        """;

    public async ValueTask PrefetchAsync(IReadOnlyCollection<string> variablePaths, IReadOnlyCollection<string> resourcePaths, CancellationToken ct)
    {
        var vars = variablePaths.Where(p => !_variables.ContainsKey(p)).ToArray();
        var res = resourcePaths.Where(p => !_resources.ContainsKey(p)).ToArray();
        if (vars.Length == 0 && res.Length == 0) return;

        await using var command = db.CreateCommand(TreeSql);
        command.Parameters.Add(new NpgsqlParameter { Value = who.Workspace });
        command.Parameters.Add(new NpgsqlParameter { Value = res, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = vars, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        foreach (var p in vars) _variables[p] = null;
        foreach (var p in res) _resources[p] = null;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new Row(reader.GetString(2), reader.GetBoolean(3), reader.GetString(4));
            if (reader.GetBoolean(0)) _resources[reader.GetString(1)] = row;
            else _variables[reader.GetString(1)] = row;
        }
    }

    public async ValueTask<string> GetVariableAsync(string path, CancellationToken ct)
    {
        if (!_variables.ContainsKey(path)) await PrefetchAsync([path], [], ct);
        var row = Access.RequireFound(_variables[path], "Variable", path);
        Access.RequireRead(who, "Variable", path, row.ExtraPerms);
        return await reveal.PlaintextAsync(who, path, row.Value, row.IsSecret, ct);
    }

    public async ValueTask<JsonNode?> GetResourceValueAsync(string path, CancellationToken ct)
    {
        if (!_resources.ContainsKey(path)) await PrefetchAsync([], [path], ct);
        var row = Access.RequireFound(_resources[path], "Resource", path);
        Access.RequireRead(who, "Resource", path, row.ExtraPerms);
        return JsonNode.Parse(row.Value);
    }
}
