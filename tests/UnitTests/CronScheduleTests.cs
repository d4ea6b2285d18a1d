using Windmill.Jobs.Core.Errors;
using Windmill.Jobs.Core.Schedules;

namespace Windmill.Jobs.UnitTests;

/// <summary>Six-field cron with seconds, day-of-week per cron_version, time zones and daylight saving (spec 8.1).</summary>
public class CronScheduleTests
{
    private static readonly TimeZoneInfo Paris = CronSchedule.Zone("Europe/Paris");

    private static DateTime Utc(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static string Next(string cron, string afterUtc, TimeZoneInfo? zone = null, string version = "v2") =>
        CronSchedule.Parse(cron, version).NextAfter(Utc(afterUtc), zone ?? TimeZoneInfo.Utc)!.Value.ToString("yyyy-MM-dd HH:mm:ss");

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-21 10:02:30", "2026-11-21 10:05:00")]
    [InlineData("0 */5 * * * *", "2026-11-21 10:05:00", "2026-11-21 10:10:00")]
    [InlineData("*/10 * * * * *", "2026-11-21 10:00:05", "2026-11-21 10:00:10")]
    [InlineData("0 0 0 1 JAN *", "2026-11-21 10:00:00", "2027-01-01 00:00:00")]
    [InlineData("0 0 12 * * SAT,SUN", "2026-11-21 13:00:00", "2026-11-22 12:00:00")]
    [InlineData("0 15 10-12/2 * * *", "2026-11-21 10:20:00", "2026-11-21 12:15:00")]
    [InlineData("0 0 0 29 2 ?", "2026-03-01 00:00:00", "2028-02-29 00:00:00")]
    [InlineData("0 0 0 1 1 * 2030", "2026-03-01 00:00:00", "2030-01-01 00:00:00")]
    public void Next_firing_in_utc(string cron, string after, string expected) => Assert.Equal(expected, Next(cron, after));

    [Fact]
    public void Day_of_week_numbers_follow_the_cron_version()
    {
        // 2026-11-23 is a Monday, 2026-11-24 a Tuesday.
        Assert.Equal("2026-11-24 00:00:00", Next("0 0 0 * * 2", "2026-11-22 12:00:00", version: "v2"));
        Assert.Equal("2026-11-23 00:00:00", Next("0 0 0 * * 2", "2026-11-22 12:00:00", version: "v1"));
        Assert.Equal("2026-11-29 00:00:00", Next("0 0 0 * * 7", "2026-11-22 12:00:00", version: "v2"));
    }

    [Fact]
    public void Local_times_are_computed_in_the_schedule_zone()
    {
        // 09:00 in Paris is 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST).
        Assert.Equal("2026-11-23 08:00:00", Next("0 0 9 * * MON-FRI", "2026-11-21 10:00:00", Paris));
        Assert.Equal("2026-06-01 07:00:00", Next("0 0 9 * * MON-FRI", "2026-05-31 10:00:00", Paris));
    }

    [Fact]
    public void A_local_time_skipped_by_spring_forward_does_not_fire()
    {
        // 2026-03-29: clocks go from 02:00 to 03:00 in Paris, so 02:30 does not exist that day.
        Assert.Equal("2026-03-30 00:30:00", Next("0 30 2 * * *", "2026-03-28 12:00:00", Paris));
    }

    [Fact]
    public void A_local_time_repeated_by_fall_back_fires_once()
    {
        // 2026-10-25: clocks go from 03:00 back to 02:00 in Paris, so 02:30 happens twice (00:30 and 01:30 UTC).
        Assert.Equal("2026-10-25 00:30:00", Next("0 30 2 * * *", "2026-10-24 12:00:00", Paris));
        Assert.Equal("2026-10-26 01:30:00", Next("0 30 2 * * *", "2026-10-25 00:30:00", Paris));
    }

    [Theory]
    [InlineData("* * * * *", "expected 6 fields")]
    [InlineData("61 * * * * *", "second: 61 is outside 0-59")]
    [InlineData("0 0 25 * * *", "hour: 25 is outside 0-23")]
    [InlineData("0 0 0 * FOO *", "month: 'FOO' is not a number or a name")]
    [InlineData("0 */0 * * * *", "minute: step '0' must be a positive integer")]
    [InlineData("0 0 0 10-2 * *", "day-of-month: range '10-2' goes backwards")]
    public void Bad_expressions_name_the_field(string cron, string message)
    {
        var e = Assert.Throws<WindmillError>(() => CronSchedule.Parse(cron));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Unknown_time_zones_are_refused()
    {
        var e = Assert.Throws<WindmillError>(() => CronSchedule.Zone("Mars/Olympus"));
        Assert.Contains("unknown time zone 'Mars/Olympus'", e.Message);
    }
}
