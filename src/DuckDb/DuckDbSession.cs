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

    /// <summary>The rows of a result, chunk by chunk, as JSON objects keyed by column name (<see cref="DuckDbValues"/>).</summary>
    private static JsonArray ReadRows(ref Result result)
    {
        var columns = (int)ColumnCount(ref result);
        var names = new string[columns];
        var types = new DuckDbType[columns];
        for (var c = 0; c < columns; c++)
        {
            names[c] = Utf8(ColumnName(ref result, (ulong)c)) ?? $"column{c}";
            var type = ColumnLogicalType(ref result, (ulong)c);
            try { types[c] = DuckDbType.From(type, names[c]); }
            finally { DestroyLogicalType(ref type); }
        }
        var rows = new JsonArray();
        var vectors = new IntPtr[columns];
        for (ulong k = 0, chunks = ResultChunkCount(result); k < chunks; k++)
        {
            var chunk = ResultGetChunk(result, k);
            try
            {
                for (var c = 0; c < columns; c++) vectors[c] = ChunkVector(chunk, (ulong)c);
                for (ulong r = 0, size = ChunkSize(chunk); r < size; r++)
                {
                    var row = new JsonObject();
                    for (var c = 0; c < columns; c++) row[names[c]] = DuckDbValues.Read(types[c], vectors[c], r);
                    rows.Add(row);
                }
            }
            finally { DestroyChunk(ref chunk); }
        }
        return rows;
    }

    public void Dispose()
    {
        if (_connection != IntPtr.Zero) Disconnect(ref _connection);
        if (_database != IntPtr.Zero) Close(ref _database);
    }
}
