using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Core.Schedules;

/// <summary>
/// Windmill's cron (spec 8.1): six fields with seconds first, <c>sec min hour day-of-month month day-of-week</c>,
/// and an optional seventh field, the year. Fields take <c>*</c>, <c>?</c> (day fields), lists, ranges, steps
/// (<c>*/5</c>, <c>10-40/10</c>) and names (<c>JAN</c>, <c>MON</c>). Day of week follows the schedule's
/// <c>cron_version</c>: <c>v2</c> (croner, the default) counts 0-7 with 0 and 7 for Sunday; <c>v1</c> (the
/// cron crate) counts 1-7 with 1 for Sunday. When both day fields are restricted a day matching either one
/// qualifies, as in classic cron. Times are computed in the schedule's time zone: a local time skipped by a
/// daylight-saving jump does not fire, and one repeated fires once, at its first occurrence.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _seconds, _minutes, _hours, _days, _months, _weekdays;
    private readonly bool[]? _years; // index = year - 1970
    private readonly bool _anyDay, _anyWeekday;

    private CronSchedule(bool[] seconds, bool[] minutes, bool[] hours, bool[] days, bool[] months, bool[] weekdays, bool[]? years,
        bool anyDay, bool anyWeekday)
    {
        (_seconds, _minutes, _hours, _days, _months, _weekdays, _years, _anyDay, _anyWeekday) =
            (seconds, minutes, hours, days, months, weekdays, years, anyDay, anyWeekday);
    }

    /// <summary>Parses a cron expression; a 400 names the field that is wrong.</summary>
    public static CronSchedule Parse(string expression, string cronVersion = "v2")
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length is not (6 or 7))
            throw Bad(expression, $"expected 6 fields (sec min hour day-of-month month day-of-week) or 7 with the year, got {fields.Length}");
        var v1 = cronVersion == "v1";
        if (cronVersion is not ("v1" or "v2")) throw WindmillError.BadRequest($"cron_version must be v1 or v2, not '{cronVersion}'");
        var weekdays = Field(expression, "day-of-week", fields[5], v1 ? 1 : 0, 7, DayNames, v1 ? 1 : 0);
        // Fold onto 0 = Sunday .. 6 = Saturday.
        var folded = new bool[7];
        for (var i = 0; i < weekdays.Length; i++)
            if (weekdays[i]) folded[v1 ? (i - 1 + 7) % 7 : i % 7] = true;
        return new CronSchedule(
            Field(expression, "second", fields[0], 0, 59),
            Field(expression, "minute", fields[1], 0, 59),
            Field(expression, "hour", fields[2], 0, 23),
            Field(expression, "day-of-month", fields[3], 1, 31),
            Field(expression, "month", fields[4], 1, 12, MonthNames, 1),
            folded,
            fields.Length == 7 ? Field(expression, "year", fields[6], 1970, 2199) is var y ? y[1970..] : null : null,
            IsAny(fields[3]), IsAny(fields[5]));
    }

    private static bool IsAny(string field) => field is "*" or "?";

    /// <summary>The set of allowed values, indexed by value (indices below <paramref name="min"/> stay false).</summary>
    private static bool[] Field(string expression, string name, string text, int min, int max, string[]? names = null, int nameBase = 0)
    {
        var allowed = new bool[max + 1];
        foreach (var part in text.Split(','))
        {
            var (range, stepText) = part.Split('/') switch
            {
                [var r] => (r, null),
                [var r, var s] => (r, s),
                _ => throw Bad(expression, $"{name}: '{part}' has more than one '/'"),
            };
            var step = 1;
            if (stepText is not null && (!int.TryParse(stepText, out step) || step < 1))
                throw Bad(expression, $"{name}: step '{stepText}' must be a positive integer");
            int from, to;
            if (range is "*" or "?")
            {
                if (range == "?" && name is not ("day-of-month" or "day-of-week")) throw Bad(expression, $"{name}: '?' is only for day fields");
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                (from, to) = (Value(expression, name, a, min, max, names, nameBase), Value(expression, name, b, min, max, names, nameBase));
                if (from > to) throw Bad(expression, $"{name}: range '{range}' goes backwards");
            }
            else
            {
                from = Value(expression, name, range, min, max, names, nameBase);
                to = stepText is null ? from : max; // "5/15" means from 5 every 15
            }
            for (var v = from; v <= to; v += step) allowed[v] = true;
        }
        return allowed;
    }

    private static int Value(string expression, string name, string text, int min, int max, string[]? names, int nameBase)
    {
        if (int.TryParse(text, out var n))
        {
            if (n < min || n > max) throw Bad(expression, $"{name}: {n} is outside {min}-{max}");
            return n;
        }
        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        if (index < 0) throw Bad(expression, $"{name}: '{text}' is not a number{(names is null ? "" : " or a name")}");
        return index + nameBase;
    }

    private static WindmillError Bad(string expression, string message) => WindmillError.BadRequest($"invalid cron '{expression}': {message}");

    /// <summary>The first firing strictly after <paramref name="after"/>, in UTC; null when none is left (a past year).</summary>
    public DateTime? NextAfter(DateTime after, TimeZoneInfo zone)
    {
        var afterUtc = DateTime.SpecifyKind(after, DateTimeKind.Utc);
        // Search local wall-clock times, starting one second past "after" seen in the zone (the earlier
        // offset, if it falls in a repeated hour), then check each candidate against the zone's rules.
        var local = TimeZoneInfo.ConvertTimeFromUtc(afterUtc, zone);
        local = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, local.Second).AddSeconds(1);
        for (var guard = 0; guard < 1000; guard++)
        {
            var candidate = NextLocal(local);
            if (candidate is not { } c) return null;
            if (!zone.IsInvalidTime(c))
            {
                var utc = ToUtc(c, zone);
                if (utc > afterUtc) return utc;
            }
            local = c.AddSeconds(1);
        }
        return null;
    }

    /// <summary>The UTC instant of a local time; in a repeated hour, its first occurrence.</summary>
    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        if (!zone.IsAmbiguousTime(local)) return TimeZoneInfo.ConvertTimeToUtc(local, zone);
        var offset = zone.GetAmbiguousTimeOffsets(local).Max(); // the larger offset is the earlier instant
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>The first local time at or after <paramref name="t"/> whose fields all match.</summary>
    private DateTime? NextLocal(DateTime t)
    {
        while (t.Year <= 2199)
        {
            if (_years is not null && (t.Year - 1970 >= _years.Length || !_years[t.Year - 1970]))
            {
                t = new DateTime(t.Year + 1, 1, 1);
                continue;
            }
            if (!_months[t.Month]) { t = new DateTime(t.Year, t.Month, 1).AddMonths(1); continue; }
            if (!DayMatches(t)) { t = t.Date.AddDays(1); continue; }
            if (!_hours[t.Hour]) { t = t.Date.AddHours(t.Hour + 1); continue; }
            if (!_minutes[t.Minute]) { t = t.Date.AddHours(t.Hour).AddMinutes(t.Minute + 1); continue; }
            if (!_seconds[t.Second]) { t = t.AddSeconds(1); continue; }
            return t;
        }
        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var dom = _days[t.Day];
        var dow = _weekdays[(int)t.DayOfWeek];
        if (_anyDay) return dow;
        if (_anyWeekday) return dom;
        return dom || dow;
    }

    /// <summary>An IANA (or system) time zone id; a 400 names an unknown one.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrEmpty(id) || id == "UTC") return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw WindmillError.BadRequest($"unknown time zone '{id}': use an IANA name such as Europe/Paris");
        }
    }
}
