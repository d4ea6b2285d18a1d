using System.Diagnostics.Metrics;
using Npgsql;
using Windmill.Jobs.Core.Telemetry;

namespace Windmill.Jobs.Api.Jobs;

/// <summary>
/// Queue depth and the age of the oldest waiting job, by tag (due jobs not yet running), read from the store
/// when metrics are collected, at most every five seconds whatever the number of scrapers.
/// </summary>
public sealed class QueueGauges
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource _db;
    private readonly Lock _reading = new();
    private (DateTime At, List<(string Tag, long Depth, double OldestAge)> Rows) _last = (DateTime.MinValue, []);

    public QueueGauges(NpgsqlDataSource db)
    {
        _db = db;
        Instrumentation.Meter.CreateObservableGauge("wmj.queue.depth", () => Read().Select(r => new Measurement<long>(r.Depth, new KeyValuePair<string, object?>("tag", r.Tag))),
            description: "due jobs waiting for a worker");
        Instrumentation.Meter.CreateObservableGauge("wmj.queue.oldest_age", () => Read().Select(r => new Measurement<double>(r.OldestAge, new KeyValuePair<string, object?>("tag", r.Tag))),
            "s", "how long the oldest due job has waited");
    }

    private List<(string Tag, long Depth, double OldestAge)> Read()
    {
        lock (_reading)
        {
            if (DateTime.UtcNow - _last.At < Fresh) return _last.Rows;
            var rows = new List<(string, long, double)>();
            try
            {
                using var cmd = _db.CreateCommand("""
                    SELECT tag, count(*), extract(epoch FROM now() - min(scheduled_for))::float8 FROM v2_job_queue
                    WHERE running = false AND scheduled_for <= now() GROUP BY tag
                    """);
                cmd.CommandTimeout = 2;
                using var r = cmd.ExecuteReader();
                while (r.Read()) rows.Add((r.GetString(0), r.GetInt64(1), r.GetDouble(2)));
            }
            catch (NpgsqlException) { return _last.Rows; } // the store is away: keep the last reading
            _last = (DateTime.UtcNow, rows);
            return rows;
        }
    }
}
