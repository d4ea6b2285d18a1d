using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static Windmill.Jobs.DuckDb.DuckDbNative;
using T = Windmill.Jobs.DuckDb.DuckDbType;

namespace Windmill.Jobs.DuckDb;

/// <summary>
/// DuckDB values as JSON, read straight from a result's vectors: integers, decimals and hugeints exact
/// (raw JSON numbers, never through a double), dates and timestamps ISO 8601, lists and arrays as JSON
/// arrays, structs as objects, maps as objects keyed by the key's text, unions as their member's value.
/// Non-finite floats and infinite dates, which JSON cannot hold, are DuckDB's words for them.
/// </summary>
internal static unsafe class DuckDbValues
{
    public static JsonNode? Read(T type, IntPtr vector, ulong row)
    {
        var validity = (ulong*)VectorValidity(vector);
        if (validity != null && (validity[row / 64] & (1UL << (int)(row % 64))) == 0) return null;
        var data = (byte*)VectorData(vector);
        switch (type.Id)
        {
            case T.Boolean: return JsonValue.Create(data[row] != 0);
            case T.TinyInt: return JsonValue.Create((long)((sbyte*)data)[row]);
            case T.SmallInt: return JsonValue.Create((long)((short*)data)[row]);
            case T.Integer: return JsonValue.Create((long)((int*)data)[row]);
            case T.BigInt: return JsonValue.Create(((long*)data)[row]);
            case T.UTinyInt: return JsonValue.Create((long)data[row]);
            case T.USmallInt: return JsonValue.Create((long)((ushort*)data)[row]);
            case T.UInteger: return JsonValue.Create((long)((uint*)data)[row]);
            case T.UBigInt: return JsonValue.Create(((ulong*)data)[row]);
            case T.HugeInt: return Number(HugeInt(data, row).ToString(CultureInfo.InvariantCulture));
            case T.UHugeInt: return Number(((UInt128*)data)[row].ToString(CultureInfo.InvariantCulture));
            case T.Float: return Real(((float*)data)[row]);
            case T.Double: return Real(((double*)data)[row]);
            case T.Decimal: return Number(DecimalText(type, data, row));
            case T.Varchar: return JsonValue.Create(Encoding.UTF8.GetString(StringBytes(data, row)));
            case T.Blob: return JsonValue.Create(BlobText(StringBytes(data, row)));
            case T.Bit: return JsonValue.Create(BitText(StringBytes(data, row)));
            case T.Enum:
                var index = type.Physical switch { T.UTinyInt => data[row], T.USmallInt => ((ushort*)data)[row], _ => ((uint*)data)[row] };
                return JsonValue.Create(type.Dictionary[index]);
            case T.Uuid: return JsonValue.Create(UuidText(data, row));
            case T.Date: return JsonValue.Create(DuckDbTime.Date(((int*)data)[row]));
            case T.Time: return JsonValue.Create(DuckDbTime.TimeOfDay(((long*)data)[row] * 1000));
            case T.TimeNs: return JsonValue.Create(DuckDbTime.TimeOfDay(((long*)data)[row]));
            case T.TimeTz: return JsonValue.Create(DuckDbTime.TimeWithZone(((ulong*)data)[row]));
            case T.Timestamp: return JsonValue.Create(DuckDbTime.Timestamp(((long*)data)[row], 1_000));
            case T.TimestampS: return JsonValue.Create(DuckDbTime.Timestamp(((long*)data)[row], 1_000_000_000));
            case T.TimestampMs: return JsonValue.Create(DuckDbTime.Timestamp(((long*)data)[row], 1_000_000));
            case T.TimestampNs: return JsonValue.Create(DuckDbTime.Timestamp(((long*)data)[row], 1));
            case T.TimestampTz: return JsonValue.Create(DuckDbTime.Timestamp(((long*)data)[row], 1_000) + "+00:00");
            case T.Interval:
                var interval = data + row * 16;
                return JsonValue.Create(DuckDbTime.Interval(*(int*)interval, *(int*)(interval + 4), *(long*)(interval + 8)));
            case T.List:
            {
                ulong offset = ((ulong*)data)[row * 2], length = ((ulong*)data)[row * 2 + 1]; // duckdb_list_entry
                var child = ListVectorChild(vector);
                var list = new JsonArray();
                for (ulong i = 0; i < length; i++) list.Add(Read(type.Children[0], child, offset + i));
                return list;
            }
            case T.Array:
            {
                var child = ArrayVectorChild(vector);
                var array = new JsonArray();
                for (ulong i = 0; i < type.ArraySize; i++) array.Add(Read(type.Children[0], child, row * type.ArraySize + i));
                return array;
            }
            case T.Struct:
            {
                var o = new JsonObject();
                for (var i = 0; i < type.Children.Length; i++) o[type.ChildNames[i]] = Read(type.Children[i], StructVectorChild(vector, (ulong)i), row);
                return o;
            }
            case T.Map:
            {
                ulong offset = ((ulong*)data)[row * 2], length = ((ulong*)data)[row * 2 + 1]; // duckdb_list_entry
                var pairs = ListVectorChild(vector);
                var keys = StructVectorChild(pairs, 0);
                var values = StructVectorChild(pairs, 1);
                var map = new JsonObject();
                for (ulong i = 0; i < length; i++)
                {
                    var key = Read(type.Children[0], keys, offset + i);
                    map[key is JsonValue k && k.TryGetValue<string>(out var s) ? s : key?.ToJsonString() ?? "null"] = Read(type.Children[1], values, offset + i);
                }
                return map;
            }
            case T.Union:
            {
                // Stored as a struct: the tag, then one vector per member.
                var tag = ((byte*)VectorData(StructVectorChild(vector, 0)))[row];
                return Read(type.Children[tag], StructVectorChild(vector, (ulong)tag + 1), row);
            }
            default: return null; // SQLNULL
        }
    }

    private static JsonNode Number(string text) => JsonNode.Parse(text)!;

    private static JsonNode Real(double d) =>
        double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");

    private static JsonNode Real(float f) =>
        float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(float.IsNaN(f) ? "nan" : f > 0 ? "inf" : "-inf");

    /// <summary>hugeint_t: the low 64 bits, then the high (signed) 64 bits.</summary>
    private static Int128 HugeInt(byte* data, ulong row) => new((ulong)((long*)data)[row * 2 + 1], ((ulong*)data)[row * 2]);

    private static string DecimalText(T type, byte* data, ulong row)
    {
        Int128 unscaled = type.Physical switch
        {
            T.SmallInt => ((short*)data)[row],
            T.Integer => ((int*)data)[row],
            T.BigInt => ((long*)data)[row],
            _ => HugeInt(data, row),
        };
        if (type.Scale == 0) return unscaled.ToString(CultureInfo.InvariantCulture);
        var digits = Int128.Abs(unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(type.Scale + 1, '0');
        return (unscaled < 0 ? "-" : "") + digits[..^type.Scale] + "." + digits[^type.Scale..];
    }

    /// <summary>duckdb_string_t: a length, then up to 12 bytes inline, or a 4-byte prefix and a pointer.</summary>
    private static ReadOnlySpan<byte> StringBytes(byte* data, ulong row)
    {
        var s = data + row * 16;
        var length = *(uint*)s;
        return length <= 12 ? new ReadOnlySpan<byte>(s + 4, (int)length) : new ReadOnlySpan<byte>(*(byte**)(s + 8), (int)length);
    }

    /// <summary>DuckDB's text for a blob: printable ASCII as is, other bytes as <c>\xHH</c>.</summary>
    private static string BlobText(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
            if (b is >= 32 and <= 126 and not (byte)'\\') sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("X2"));
        return sb.ToString();
    }

    /// <summary>A bitstring: the first byte counts the padding bits at the start of the second.</summary>
    private static string BitText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return "";
        var sb = new StringBuilder((bytes.Length - 1) * 8);
        for (int i = bytes[0]; i < (bytes.Length - 1) * 8; i++)
            sb.Append((bytes[1 + i / 8] >> (7 - i % 8) & 1) == 1 ? '1' : '0');
        return sb.ToString();
    }

    /// <summary>A UUID is a hugeint whose top bit is flipped (so that UUIDs sort as their text does).</summary>
    private static string UuidText(byte* data, ulong row)
    {
        var hex = (((ulong*)data)[row * 2 + 1] ^ (1UL << 63)).ToString("x16") + ((ulong*)data)[row * 2].ToString("x16");
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
