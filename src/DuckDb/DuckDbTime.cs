using System.Globalization;

namespace Windmill.Jobs.DuckDb;

/// <summary>
/// DuckDB's dates, times, timestamps and intervals as text: ISO 8601 (a <c>T</c> between date and time,
/// fractions without trailing zeros), DuckDB's own words where ISO has none (<c>infinity</c>, BC years,
/// intervals).
/// </summary>
internal static class DuckDbTime
{
    private const long NanosPerDay = 86_400_000_000_000;

    /// <summary>Days since 1970-01-01; DuckDB keeps ±int.MaxValue for ±infinity.</summary>
    public static string Date(int days) => days switch
    {
        int.MaxValue => "infinity",
        -int.MaxValue => "-infinity",
        _ => CivilDate(days),
    };

    /// <param name="nanosPerUnit">1 for nanoseconds, 1,000 for microseconds, ...; DuckDB keeps ±long.MaxValue for ±infinity.</param>
    public static string Timestamp(long value, long nanosPerUnit)
    {
        if (value == long.MaxValue) return "infinity";
        if (value == -long.MaxValue) return "-infinity";
        var perDay = NanosPerDay / nanosPerUnit;
        var days = value / perDay;
        var withinDay = value % perDay;
        if (withinDay < 0) { days--; withinDay += perDay; }
        return CivilDate(days) + "T" + TimeOfDay(withinDay * nanosPerUnit);
    }

    /// <summary>HH:mm:ss[.fraction]; hours go past 24 in intervals.</summary>
    public static string TimeOfDay(long nanos)
    {
        var seconds = nanos / 1_000_000_000;
        var fraction = nanos % 1_000_000_000;
        var text = $"{seconds / 3600:D2}:{seconds / 60 % 60:D2}:{seconds % 60:D2}";
        return fraction == 0 ? text : text + "." + fraction.ToString("D9").TrimEnd('0');
    }

    /// <summary>TIME WITH TIME ZONE: microseconds in the top 40 bits, then (15:59:59 − offset) in seconds.</summary>
    public static string TimeWithZone(ulong bits)
    {
        const int maxOffset = 16 * 60 * 60 - 1;
        var micros = (long)(bits >> 24);
        var offset = maxOffset - (int)(bits & 0xFFFFFF);
        var sign = offset < 0 ? '-' : '+';
        offset = Math.Abs(offset);
        var zone = $"{sign}{offset / 3600:D2}:{offset / 60 % 60:D2}" + (offset % 60 == 0 ? "" : $":{offset % 60:D2}");
        return TimeOfDay(micros * 1000) + zone;
    }

    /// <summary>DuckDB's interval text: <c>1 year 2 months 3 days 04:05:06.5</c>; all zero is <c>00:00:00</c>.</summary>
    public static string Interval(int months, int days, long micros)
    {
        var parts = new List<string>();
        void Unit(long n, string name)
        {
            if (n != 0) parts.Add($"{n} {name}{(Math.Abs(n) == 1 ? "" : "s")}");
        }
        Unit(months / 12, "year");
        Unit(months % 12, "month");
        Unit(days, "day");
        if (micros != 0 || parts.Count == 0)
            parts.Add((micros < 0 ? "-" : "") + TimeOfDay(Math.Abs(micros) * 1000));
        return string.Join(' ', parts);
    }

    /// <summary>Days since 1970-01-01 to yyyy-MM-dd (proleptic Gregorian, any year; BC years as DuckDB writes them).</summary>
    private static string CivilDate(long days)
    {
        // Howard Hinnant's days_from_civil, inverted.
        var z = days + 719_468;
        var era = (z >= 0 ? z : z - 146_096) / 146_097;
        var doe = z - era * 146_097;
        var yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        var year = yoe + era * 400;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var day = doy - (153 * mp + 2) / 5 + 1;
        var month = mp < 10 ? mp + 3 : mp - 9;
        if (month <= 2) year++;
        return year >= 1
            ? $"{year.ToString("D4", CultureInfo.InvariantCulture)}-{month:D2}-{day:D2}"
            : $"{(1 - year).ToString("D4", CultureInfo.InvariantCulture)}-{month:D2}-{day:D2} (BC)";
    }
}
