using static Windmill.Jobs.DuckDb.DuckDbNative;

namespace Windmill.Jobs.DuckDb;

/// <summary>
/// A result column's type, read once per result from DuckDB's logical type: what decoding its vectors
/// needs (decimal scale, enum dictionary, nested children). Ids are DuckDB's <c>duckdb_type</c> values.
/// </summary>
internal sealed class DuckDbType
{
    public const int Boolean = 1, TinyInt = 2, SmallInt = 3, Integer = 4, BigInt = 5, UTinyInt = 6, USmallInt = 7, UInteger = 8,
        UBigInt = 9, Float = 10, Double = 11, Timestamp = 12, Date = 13, Time = 14, Interval = 15, HugeInt = 16, Varchar = 17,
        Blob = 18, Decimal = 19, TimestampS = 20, TimestampMs = 21, TimestampNs = 22, Enum = 23, List = 24, Struct = 25, Map = 26,
        Uuid = 27, Union = 28, Bit = 29, TimeTz = 30, TimestampTz = 31, UHugeInt = 32, Array = 33, SqlNull = 36, TimeNs = 39;

    public int Id { get; private init; }
    /// <summary>Decimal: digits after the point; its values are stored as <see cref="Physical"/>.</summary>
    public int Scale { get; private init; }
    /// <summary>Decimal and enum: the integer type holding the values.</summary>
    public int Physical { get; private init; }
    public string[] Dictionary { get; private init; } = [];
    /// <summary>List, array: the element; map: key and value; struct and union: the members.</summary>
    public DuckDbType[] Children { get; private init; } = [];
    public string[] ChildNames { get; private init; } = [];
    public ulong ArraySize { get; private init; }

    /// <summary>Reads a logical type (the caller destroys it); a type this binding cannot turn into JSON is refused naming the column.</summary>
    public static DuckDbType From(IntPtr type, string column)
    {
        var id = TypeId(type);
        switch (id)
        {
            case Decimal:
                return new DuckDbType { Id = id, Scale = DecimalScale(type), Physical = DecimalInternalType(type) };
            case Enum:
                return new DuckDbType
                {
                    Id = id, Physical = EnumInternalType(type),
                    Dictionary = [.. Enumerable.Range(0, (int)EnumDictionarySize(type)).Select(i => TakeUtf8(EnumDictionaryValue(type, (ulong)i)) ?? "")],
                };
            case List:
                return new DuckDbType { Id = id, Children = [Child(ListChildType(type), column)] };
            case Array:
                return new DuckDbType { Id = id, Children = [Child(ArrayChildType(type), column)], ArraySize = ArraySize(type) };
            case Map:
                return new DuckDbType { Id = id, Children = [Child(MapKeyType(type), column), Child(MapValueType(type), column)] };
            case Struct:
            {
                var n = (int)StructChildCount(type);
                return new DuckDbType
                {
                    Id = id,
                    ChildNames = [.. Enumerable.Range(0, n).Select(i => TakeUtf8(StructChildName(type, (ulong)i)) ?? $"v{i + 1}")],
                    Children = [.. Enumerable.Range(0, n).Select(i => Child(StructChildType(type, (ulong)i), column))],
                };
            }
            case Union:
            {
                var n = (int)UnionMemberCount(type);
                return new DuckDbType
                {
                    Id = id,
                    ChildNames = [.. Enumerable.Range(0, n).Select(i => TakeUtf8(UnionMemberName(type, (ulong)i)) ?? "")],
                    Children = [.. Enumerable.Range(0, n).Select(i => Child(UnionMemberType(type, (ulong)i), column))],
                };
            }
            case >= Boolean and <= Blob or >= TimestampS and <= TimestampNs or Uuid or Bit or TimeTz or TimestampTz or UHugeInt or SqlNull or TimeNs:
                return new DuckDbType { Id = id };
            default:
                throw new DuckDbError($"column {column} has a DuckDB type (id {id}) that cannot be returned as JSON; cast it, e.g. {column}::VARCHAR");
        }
    }

    private static DuckDbType Child(IntPtr type, string column)
    {
        try { return From(type, column); }
        finally { DestroyLogicalType(ref type); }
    }
}
