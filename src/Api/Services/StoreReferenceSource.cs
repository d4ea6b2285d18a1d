using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Api.Auth;
using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Resources;

namespace Windmill.Jobs.Api.Services;

/// <summary>
/// Reads the variables and resources an interpolation refers to, as the caller. One prefetch is one
/// round trip (both tables in one batch); permissions are checked per object when it is used, so the
/// error a caller sees is the one for the first reference in walk order.
/// </summary>
public sealed class StoreReferenceSource(
    Authed who, NpgsqlDataSource db, SecretReveal reveal, IReadOnlyDictionary<string, string>? reservedVariables = null)
    : IReferenceSource
{
    private sealed record Row(string Value, bool IsSecret, string ExtraPerms);

    private readonly Dictionary<string, Row?> _variables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Row?> _resources = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string>? ReservedVariables => reservedVariables;

    public async ValueTask PrefetchAsync(IReadOnlyCollection<string> variablePaths, IReadOnlyCollection<string> resourcePaths, CancellationToken ct)
    {
        var vars = variablePaths.Where(p => !_variables.ContainsKey(p)).ToArray();
        var res = resourcePaths.Where(p => !_resources.ContainsKey(p)).ToArray();
        if (vars.Length == 0 && res.Length == 0) return;

        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command(
            "SELECT path, value, is_secret, extra_perms::text FROM variable WHERE workspace_id = $1 AND path = ANY($2)", vars));
        batch.BatchCommands.Add(Command(
            "SELECT path, value::text, false, extra_perms::text FROM resource WHERE workspace_id = $1 AND path = ANY($2)", res));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var p in vars) _variables[p] = null;
        foreach (var p in res) _resources[p] = null;
        while (await reader.ReadAsync(ct))
            _variables[reader.GetString(0)] = new Row(reader.GetString(1), reader.GetBoolean(2), reader.GetString(3));
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
            _resources[reader.GetString(0)] = new Row(reader.GetString(1), false, reader.GetString(3));
    }

    private NpgsqlBatchCommand Command(string sql, string[] paths)
    {
        var c = new NpgsqlBatchCommand(sql);
        c.Parameters.Add(new NpgsqlParameter { Value = who.Workspace });
        c.Parameters.Add(new NpgsqlParameter { Value = paths, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return c;
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
