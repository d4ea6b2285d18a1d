using Windmill.Jobs.Core.Errors;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>Query options of the run routes (spec 6.10, <c>RunJobQuery</c>).</summary>
public sealed record RunJobQuery(
    DateTime? ScheduledFor, int? ScheduledInSecs, Guid? ParentJob, Guid? RootJob, Guid? JobId, string? Tag, int? Timeout,
    bool InvisibleToOwner, int? QueueLimit)
{
    public static RunJobQuery From(HttpRequest request)
    {
        var q = request.Query;
        T? Parse<T>(string name, Func<string, T?> parse) where T : struct
        {
            var raw = q[name].ToString();
            if (raw.Length == 0) return null;
            return parse(raw) ?? throw WindmillError.BadRequest($"query parameter {name} is not valid: '{raw}'");
        }
        return new RunJobQuery(
            Parse("scheduled_for", s => DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d.UtcDateTime : (DateTime?)null),
            Parse("scheduled_in_secs", s => int.TryParse(s, out var i) && i >= 0 ? i : (int?)null),
            Parse("parent_job", s => Guid.TryParse(s, out var g) ? g : (Guid?)null),
            Parse("root_job", s => Guid.TryParse(s, out var g) ? g : (Guid?)null),
            Parse("job_id", s => Guid.TryParse(s, out var g) ? g : (Guid?)null),
            q["tag"].ToString() is { Length: > 0 } tag ? tag : null,
            Parse("timeout", s => int.TryParse(s, out var i) && i > 0 ? i : (int?)null),
            q["invisible_to_owner"].ToString() == "true",
            Parse("queue_limit", s => int.TryParse(s, out var i) && i > 0 ? i : (int?)null));
    }

    public DateTime ScheduledTime(DateTime now) =>
        ScheduledFor ?? (ScheduledInSecs is { } s ? now.AddSeconds(s) : now);
}
