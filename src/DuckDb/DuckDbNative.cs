using System.Reflection;
using System.Runtime.InteropServices;

namespace Windmill.Jobs.DuckDb;

/// <summary>
/// The part of DuckDB's C API the worker uses (no DuckDB.NET package restores here). The library is
/// <c>libduckdb.so</c> from the npm package <c>@duckdb/node-bindings-linux-x64</c>, found through
/// <c>LIBDUCKDB_PATH</c> or the loader's usual search.
/// </summary>
internal static partial class DuckDbNative
{
    private const string Lib = "duckdb";

    static DuckDbNative() =>
        NativeLibrary.SetDllImportResolver(typeof(DuckDbNative).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var configured = Environment.GetEnvironmentVariable("LIBDUCKDB_PATH");
        if (configured is { Length: > 0 } && NativeLibrary.TryLoad(configured, out var handle)) return handle;
        return NativeLibrary.TryLoad("libduckdb.so", assembly, path, out handle) ? handle : IntPtr.Zero;
    }

    /// <summary><c>duckdb_result</c>: six pointer-sized fields, only ever used through the API.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Result
    {
        private IntPtr _a, _b, _c, _d, _e, _f;
    }

    internal const int Success = 0;

    [LibraryImport(Lib, EntryPoint = "duckdb_create_config")] internal static partial int CreateConfig(out IntPtr config);
    [LibraryImport(Lib, EntryPoint = "duckdb_set_config", StringMarshalling = StringMarshalling.Utf8)] internal static partial int SetConfig(IntPtr config, string name, string option);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_config")] internal static partial void DestroyConfig(ref IntPtr config);
    [LibraryImport(Lib, EntryPoint = "duckdb_open_ext", StringMarshalling = StringMarshalling.Utf8)] internal static partial int OpenExt(string? path, out IntPtr database, IntPtr config, out IntPtr error);
    [LibraryImport(Lib, EntryPoint = "duckdb_close")] internal static partial void Close(ref IntPtr database);
    [LibraryImport(Lib, EntryPoint = "duckdb_connect")] internal static partial int Connect(IntPtr database, out IntPtr connection);
    [LibraryImport(Lib, EntryPoint = "duckdb_disconnect")] internal static partial void Disconnect(ref IntPtr connection);
    [LibraryImport(Lib, EntryPoint = "duckdb_interrupt")] internal static partial void Interrupt(IntPtr connection);

    [LibraryImport(Lib, EntryPoint = "duckdb_extract_statements", StringMarshalling = StringMarshalling.Utf8)] internal static partial ulong ExtractStatements(IntPtr connection, string query, out IntPtr extracted);
    [LibraryImport(Lib, EntryPoint = "duckdb_extract_statements_error")] internal static partial IntPtr ExtractStatementsError(IntPtr extracted);
    [LibraryImport(Lib, EntryPoint = "duckdb_prepare_extracted_statement")] internal static partial int PrepareExtracted(IntPtr connection, IntPtr extracted, ulong index, out IntPtr prepared);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_extracted")] internal static partial void DestroyExtracted(ref IntPtr extracted);

    [LibraryImport(Lib, EntryPoint = "duckdb_prepare_error")] internal static partial IntPtr PrepareError(IntPtr prepared);
    [LibraryImport(Lib, EntryPoint = "duckdb_nparams")] internal static partial ulong ParamCount(IntPtr prepared);
    [LibraryImport(Lib, EntryPoint = "duckdb_parameter_name")] internal static partial IntPtr ParameterName(IntPtr prepared, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_bind_varchar", StringMarshalling = StringMarshalling.Utf8)] internal static partial int BindVarchar(IntPtr prepared, ulong index, string value);
    [LibraryImport(Lib, EntryPoint = "duckdb_bind_int64")] internal static partial int BindInt64(IntPtr prepared, ulong index, long value);
    [LibraryImport(Lib, EntryPoint = "duckdb_bind_double")] internal static partial int BindDouble(IntPtr prepared, ulong index, double value);
    [LibraryImport(Lib, EntryPoint = "duckdb_bind_boolean")] internal static partial int BindBoolean(IntPtr prepared, ulong index, [MarshalAs(UnmanagedType.U1)] bool value);
    [LibraryImport(Lib, EntryPoint = "duckdb_bind_null")] internal static partial int BindNull(IntPtr prepared, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_execute_prepared")] internal static partial int ExecutePrepared(IntPtr prepared, out Result result);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_prepare")] internal static partial void DestroyPrepare(ref IntPtr prepared);

    [LibraryImport(Lib, EntryPoint = "duckdb_result_error")] internal static partial IntPtr ResultError(ref Result result);
    [LibraryImport(Lib, EntryPoint = "duckdb_column_count")] internal static partial ulong ColumnCount(ref Result result);
    [LibraryImport(Lib, EntryPoint = "duckdb_column_name")] internal static partial IntPtr ColumnName(ref Result result, ulong column);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_result")] internal static partial void DestroyResult(ref Result result);
    [LibraryImport(Lib, EntryPoint = "duckdb_free")] internal static partial void Free(IntPtr pointer);

    // Results read chunk by chunk (the value-by-value API cannot read nested, UUID, TIMESTAMP_NS, ... values).
    [LibraryImport(Lib, EntryPoint = "duckdb_result_chunk_count")] internal static partial ulong ResultChunkCount(Result result);
    [LibraryImport(Lib, EntryPoint = "duckdb_result_get_chunk")] internal static partial IntPtr ResultGetChunk(Result result, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_column_logical_type")] internal static partial IntPtr ColumnLogicalType(ref Result result, ulong column);
    [LibraryImport(Lib, EntryPoint = "duckdb_data_chunk_get_size")] internal static partial ulong ChunkSize(IntPtr chunk);
    [LibraryImport(Lib, EntryPoint = "duckdb_data_chunk_get_vector")] internal static partial IntPtr ChunkVector(IntPtr chunk, ulong column);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_data_chunk")] internal static partial void DestroyChunk(ref IntPtr chunk);
    [LibraryImport(Lib, EntryPoint = "duckdb_vector_get_data")] internal static partial IntPtr VectorData(IntPtr vector);
    [LibraryImport(Lib, EntryPoint = "duckdb_vector_get_validity")] internal static partial IntPtr VectorValidity(IntPtr vector);
    [LibraryImport(Lib, EntryPoint = "duckdb_list_vector_get_child")] internal static partial IntPtr ListVectorChild(IntPtr vector);
    [LibraryImport(Lib, EntryPoint = "duckdb_array_vector_get_child")] internal static partial IntPtr ArrayVectorChild(IntPtr vector);
    [LibraryImport(Lib, EntryPoint = "duckdb_struct_vector_get_child")] internal static partial IntPtr StructVectorChild(IntPtr vector, ulong index);

    // Logical types.
    [LibraryImport(Lib, EntryPoint = "duckdb_get_type_id")] internal static partial int TypeId(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_destroy_logical_type")] internal static partial void DestroyLogicalType(ref IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_decimal_scale")] internal static partial byte DecimalScale(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_decimal_internal_type")] internal static partial int DecimalInternalType(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_enum_internal_type")] internal static partial int EnumInternalType(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_enum_dictionary_size")] internal static partial uint EnumDictionarySize(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_enum_dictionary_value")] internal static partial IntPtr EnumDictionaryValue(IntPtr type, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_list_type_child_type")] internal static partial IntPtr ListChildType(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_array_type_child_type")] internal static partial IntPtr ArrayChildType(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_array_type_array_size")] internal static partial ulong ArraySize(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_struct_type_child_count")] internal static partial ulong StructChildCount(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_struct_type_child_name")] internal static partial IntPtr StructChildName(IntPtr type, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_struct_type_child_type")] internal static partial IntPtr StructChildType(IntPtr type, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_union_type_member_count")] internal static partial ulong UnionMemberCount(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_union_type_member_name")] internal static partial IntPtr UnionMemberName(IntPtr type, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_union_type_member_type")] internal static partial IntPtr UnionMemberType(IntPtr type, ulong index);
    [LibraryImport(Lib, EntryPoint = "duckdb_map_type_key_type")] internal static partial IntPtr MapKeyType(IntPtr type);
    [LibraryImport(Lib, EntryPoint = "duckdb_map_type_value_type")] internal static partial IntPtr MapValueType(IntPtr type);

    internal static string? Utf8(IntPtr p) => p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);

    /// <summary>Reads a string the API allocated for us, then frees it.</summary>
    internal static string? TakeUtf8(IntPtr p)
    {
        var s = Utf8(p);
        if (p != IntPtr.Zero) Free(p);
        return s;
    }
}
