using Windmill.Jobs.Core.Jobs;

namespace Windmill.Jobs.UnitTests;

/// <summary>The worked examples of spec 4.2, row by row.</summary>
public class StatePathTests
{
    [Theory]
    [InlineData("alice", "u/alice/sync", null, null, null, "u/alice/sync/user")]
    [InlineData("schedule-u-alice-hourly", "u/alice/sync", null, null, "u/alice/hourly", "u/alice/sync/schedule-u-alice-hourly")]
    [InlineData("alice", "f/etl/daily/a", "f/etl/daily", "a", null, "f/etl/daily/a_user")]
    [InlineData("schedule-f-etl-every5", "f/etl/daily/a", "f/etl/daily", "a", "f/etl/every5", "f/etl/daily/a_schedule-f-etl-every5")]
    [InlineData("alice", "x", "f/etl/daily/loop-0", "b", null, "f/etl/daily/loop-0/b_user")]
    [InlineData("alice", "u/alice/draft/", null, null, null, "u/alice/draft/state/user")]
    [InlineData("alice", null, null, null, null, "u/alice/tmp_state")]
    [InlineData("bob", "u/alice/sync", null, null, null, "u/alice/sync/user")]
    [InlineData("alice", "f/etl/daily/x", "f/etl/daily", null, null, "f/etl/daily/nostep_user")]
    public void Matches_the_spec_table(string user, string? path, string? flow, string? step, string? schedule, string expected) =>
        Assert.Equal(expected, StatePath.Compute(user, path, flow, step, schedule));

    [Fact]
    public void Schedule_user_replaces_slashes() => Assert.Equal("schedule-f-etl-every5", StatePath.ScheduleUser("f/etl/every5"));

    [Fact]
    public void Object_path_for_a_manual_script_run()
    {
        var id = Guid.Parse("017e0ad5-f499-73b6-5488-92a61c5196dd");
        var created = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var job = new JobContext("w", id, "alice", "u/alice", "a@x", "u/alice/sync", null, null, null, null, null, null, created, created);
        Assert.Equal($"u_alice_sync/manual/1767225600000_{id}", ReservedVariables.ObjectPathOf(job));
        var env = ReservedVariables.For(job, "tok", "http://pub", "http://int");
        Assert.Equal("u/alice/sync/user", env["WM_STATE_PATH"]);
        Assert.Equal(env["WM_STATE_PATH"], env["WM_STATE_PATH_NEW"]);
        Assert.Equal("2026-01-01T00:00:00Z", env["WM_SCHEDULED_FOR"]);
        Assert.Equal("", env["WM_FLOW_JOB_ID"]);
    }
}
