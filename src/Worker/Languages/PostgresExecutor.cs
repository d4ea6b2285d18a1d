using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Windmill.Jobs.Core.Scripts;
using Windmill.Jobs.Worker.Execution;

namespace Windmill.Jobs.Worker.Languages;

/// <summary>
/// PostgreSQL: connects with the <c>database</c> argument (a <c>postgresql</c> resource, resolved with the
/// job's identity), runs the statements in order with their <c>$n</c> arguments bound as typed parameters
/// (never pasted into the SQL), and returns the rows of the last statement as an array of objects.
/// </summary>
public sealed class PostgresExecutor : IExecutor
{
    public string Language => ScriptLanguage.Postgresql;

    public async Task<JsonNode?> RunAsync(JobRun run, CancellationToken ct)
    {
        var signature = SqlSignatureParser.ParsePostgres(run.Code);
        var byPosition = signature.Parameters.Where(p => p.Position >= 0).ToDictionary(p => p.Position + 1);
        if (run.Args["database"] is not JsonObject database)
            throw new JobFailure("argument database must be a postgresql resource (e.g. \"$res:u/me/db\")", "ArgumentError");

        await using var conn = new NpgsqlConnection(ConnectionString(database));
        try { await conn.OpenAsync(ct); }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new JobFailure($"cannot connect to PostgreSQL at {database["host"]}:{database["port"] ?? 5432}: {e.Message}");
        }

        ResultCollection collection;
        try { collection = ResultCollection.Of(run.Code); }
        catch (Windmill.Jobs.Core.Errors.WindmillError e) { throw new JobFailure(e.Message, "ArgumentError"); }
        var results = new List<JsonArray>();
        foreach (var statement in SqlStatements.Split(run.Code))
        {
            await using var cmd = new NpgsqlCommand(statement.Text, conn);
            foreach (var n in statement.Parameters)
            {
                if (!byPosition.TryGetValue(n, out var p))
                    throw new JobFailure($"${n} is used but not declared: add a comment `-- ${n} name` at the top", "ArgumentError");
                var value = run.Args[p.Name] ?? (p.HasDefault ? p.Default : null);
                cmd.Parameters.Add(Bind(SqlSignatureParser.SqlTypeOf(p), value, p.Name));
            }
            try
            {
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                results.Add(await ReadRowsAsync(reader, ct));
            }
            catch (PostgresException e)
            {
                throw new JobFailure($"{e.SqlState}: {e.MessageText}", "PostgresError");
            }
        }
        return collection.Collect(results);
    }

    private static string ConnectionString(JsonObject r)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = r["host"]?.ToString(),
            Port = r["port"] is { } port ? int.Parse(port.ToString(), CultureInfo.InvariantCulture) : 5432,
            Username = r["user"]?.ToString(),
            Password = r["password"]?.ToString(),
            Database = r["dbname"]?.ToString(),
            ApplicationName = "windmill-jobs-script",
            Pooling = false,
        };
        if (r["sslmode"]?.ToString() is { } ssl)
            b.SslMode = ssl switch { "disable" => SslMode.Disable, "require" => SslMode.Require, "verify-ca" => SslMode.VerifyCA, "verify-full" => SslMode.VerifyFull, "allow" => SslMode.Allow, _ => SslMode.Prefer };
        return b.ConnectionString;
    }

    /// <summary>A JSON argument as a typed parameter of the declared SQL type.</summary>
    private static NpgsqlParameter Bind(string sqlType, JsonNode? value, string name)
    {
        if (value is null) return new NpgsqlParameter { Value = DBNull.Value };
        try
        {
            return sqlType switch
            {
                "int" or "int2" or "int4" or "integer" or "smallint" or "serial" => new NpgsqlParameter { Value = value.GetValue<int>(), NpgsqlDbType = NpgsqlDbType.Integer },
                "int8" or "bigint" => new NpgsqlParameter { Value = value.GetValue<long>(), NpgsqlDbType = NpgsqlDbType.Bigint },
                "float" or "float8" or "double" => new NpgsqlParameter { Value = value.GetValue<double>(), NpgsqlDbType = NpgsqlDbType.Double },
                "float4" or "real" => new NpgsqlParameter { Value = value.GetValue<float>(), NpgsqlDbType = NpgsqlDbType.Real },
                "numeric" or "decimal" => new NpgsqlParameter { Value = value.GetValue<decimal>(), NpgsqlDbType = NpgsqlDbType.Numeric },
                "bool" or "boolean" => new NpgsqlParameter { Value = value.GetValue<bool>(), NpgsqlDbType = NpgsqlDbType.Boolean },
                "json" => new NpgsqlParameter { Value = value.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Json },
                "jsonb" => new NpgsqlParameter { Value = value.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb },
                "date" => new NpgsqlParameter { Value = DateOnly.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Date },
                "timestamp" => new NpgsqlParameter { Value = DateTime.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Timestamp },
                "timestamptz" => new NpgsqlParameter { Value = DateTime.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), NpgsqlDbType = NpgsqlDbType.TimestampTz },
                _ when sqlType.EndsWith("[]") => new NpgsqlParameter { Value = value.AsArray().Select(v => v?.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Text },
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new JobFailure($"argument {name} cannot be used as {sqlType}: {e.Message}", "ArgumentError");
        }
    }

    private static async Task<JsonArray> ReadRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var rows = new JsonArray();
        while (await reader.ReadAsync(ct))
        {
            var row = new JsonObject();
            for (var i = 0; i < reader.FieldCount; i++)
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : ToJson(reader.GetValue(i), reader.GetDataTypeName(i));
            rows.Add(row);
        }
        return rows;
    }

    private static JsonNode? ToJson(object value, string type) => value switch
    {
        string s when type is "json" or "jsonb" => JsonNode.Parse(s),
        DateTime d => JsonValue.Create(d.Kind == DateTimeKind.Unspecified ? d.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        byte[] b => JsonValue.Create(Convert.ToBase64String(b)),
        Array a => new JsonArray(a.Cast<object?>().Select(x => x is null ? null : ToJson(x, "")).ToArray()),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
