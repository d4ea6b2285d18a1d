using System.Text.Json;
using System.Text.Json.Nodes;
using static Windmill.Jobs.DuckDb.DuckDbNative;

namespace Windmill.Jobs.DuckDb;

/// <summary>A DuckDB script failed: the message is DuckDB's.</summary>
public sealed class DuckDbError(string message) : Exception(message);

/// <summary>
/// One in-memory DuckDB database and connection for one job. Extensions are never installed or loaded
/// automatically (no downloads at run time); statements are split by DuckDB itself and run in order.
/// </summary>
public sealed class DuckDbSession : IDisposable
{
    private IntPtr _database;
    private IntPtr _connection;

    private DuckDbSession() { }

    /// <param name="memoryLimit">DuckDB's <c>memory_limit</c> (null: DuckDB's default); larger work spills to <paramref name="spillDirectory"/>.</param>
    public static DuckDbSession Open(string extensionDirectory, string? memoryLimit = null, string? spillDirectory = null)
    {
        if (CreateConfig(out var config) != Success) throw new DuckDbError("cannot create a DuckDB configuration");
        try
        {
            SetConfig(config, "autoinstall_known_extensions", "false");
            SetConfig(config, "autoload_known_extensions", "false");
            SetConfig(config, "extension_directory", extensionDirectory);
            if (memoryLimit is not null && SetConfig(config, "memory_limit", memoryLimit) != Success)
                throw new DuckDbError($"invalid DUCKDB_MEMORY_LIMIT '{memoryLimit}'");
            if (spillDirectory is not null) SetConfig(config, "temp_directory", spillDirectory);
            var session = new DuckDbSession();
            if (OpenExt(null, out session._database, config, out var error) != Success)
                throw new DuckDbError("cannot open DuckDB: " + TakeUtf8(error));
            if (Connect(session._database, out session._connection) != Success)
            {
                session.Dispose();
                throw new DuckDbError("cannot connect to DuckDB");
            }
            return session;
        }
        finally { DestroyConfig(ref config); }
    }

    /// <summary>Stops the running statement (cancel, timeout).</summary>
    public void Interrupt() => DuckDbNative.Interrupt(_connection);

    /// <summary>Runs every statement in order, binding <c>$name</c> parameters; returns the last statement's rows.</summary>
    public JsonArray Run(string sql, Func<string, JsonNode?> argument) => RunAll(sql, argument) is { Count: > 0 } all ? all[^1] : [];

    /// <summary>Runs every statement in order; returns each statement's rows.</summary>
    public List<JsonArray> RunAll(string sql, Func<string, JsonNode?> argument)
    {
        var count = ExtractStatements(_connection, sql, out var extracted);
        try
        {
            if (count == 0)
            {
                var error = Utf8(ExtractStatementsError(extracted));
                if (error is not null) throw new DuckDbError(error);
                return [];
            }
            var results = new List<JsonArray>();
            for (ulong i = 0; i < count; i++)
                results.Add(RunOne(extracted, i, argument));
            return results;
        }
        finally { DestroyExtracted(ref extracted); }
    }

    private JsonArray RunOne(IntPtr extracted, ulong index, Func<string, JsonNode?> argument)
    {
        if (PrepareExtracted(_connection, extracted, index, out var prepared) != Success)
        {
            var message = Utf8(PrepareError(prepared)) ?? "cannot prepare statement";
            DestroyPrepare(ref prepared);
            throw new DuckDbError(message);
        }
        try
        {
            var n = ParamCount(prepared);
            for (ulong p = 1; p <= n; p++)
                Bind(prepared, p, argument(TakeUtf8(ParameterName(prepared, p)) ?? p.ToString()));
            if (ExecutePrepared(prepared, out var result) != Success)
            {
                var message = Utf8(ResultError(ref result)) ?? "statement failed";
                DestroyResult(ref result);
                throw new DuckDbError(message);
            }
            try { return ReadRows(ref result); }
            finally { DestroyResult(ref result); }
        }
        finally { DestroyPrepare(ref prepared); }
    }

    private static void Bind(IntPtr prepared, ulong index, JsonNode? value)
    {
        var state = value switch
        {
            null => BindNull(prepared, index),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => BindVarchar(prepared, index, v.GetValue<string>()),
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => BindBoolean(prepared, index, v.GetValue<bool>()),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) => BindInt64(prepared, index, l),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => BindDouble(prepared, index, v.GetValue<double>()),
            _ => BindVarchar(prepared, index, value.ToJsonString()),
        };
        if (state != Success) throw new DuckDbError($"cannot bind parameter {index}");
    }

    private static JsonArray ReadRows(ref Result result)
    {
        var columns = ColumnCount(ref result);
        var rowCount = RowCount(ref result);
        var names = new string[columns];
        var types = new int[columns];
        for (ulong c = 0; c < columns; c++)
        {
            names[c] = Utf8(ColumnName(ref result, c)) ?? $"column{c}";
            types[c] = ColumnType(ref result, c);
        }
        var rows = new JsonArray();
        for (ulong r = 0; r < rowCount; r++)
        {
            var row = new JsonObject();
            for (ulong c = 0; c < columns; c++)
                row[names[c]] = ValueIsNull(ref result, c, r) ? null : ToJson(types[c], TakeUtf8(ValueVarchar(ref result, c, r)) ?? "");
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>DuckDB values as JSON: numbers stay exact, timestamps become ISO 8601, the rest text.</summary>
    private static JsonNode? ToJson(int type, string text)
    {
        switch (type)
        {
            case 1: return JsonValue.Create(text == "true");
            case >= 2 and <= 9 or 16 or 19 or 32: return ParseOr(text);
            case 10 or 11: return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? ParseOr(text) : JsonValue.Create(text);
            case 12 or 20 or 21 or 22 or 31: return JsonValue.Create(text.Replace(' ', 'T'));
            case 24 or 33: return ParseOr(text);
            default: return JsonValue.Create(text);
        }
    }

    private static JsonNode? ParseOr(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    public void Dispose()
    {
        if (_connection != IntPtr.Zero) Disconnect(ref _connection);
        if (_database != IntPtr.Zero) Close(ref _database);
    }
}
