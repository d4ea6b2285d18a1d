using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

using Windmill.Jobs.Core.Telemetry;

namespace Windmill.Jobs.Runtime.Telemetry;

/// <summary>
/// The project's instruments as Prometheus text (exposition format 0.0.4) for <c>/metrics</c>, without an
/// exporter package (none restores here): a <see cref="MeterListener"/> keeps counter sums and histogram
/// buckets per tag set; observable gauges are read at each scrape. Names: dots become underscores, counters
/// end in <c>_total</c>, histograms in <c>_bucket</c>/<c>_sum</c>/<c>_count</c>.
/// </summary>
public sealed class PrometheusText : IDisposable
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

    private sealed class Series
    {
        public double Sum;
        public long Count;
        public readonly long[] BucketCounts = new long[Buckets.Length];
    }

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), double> _gauges = new();
    private readonly Lock _scraping = new();

    public PrometheusText()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Instrumentation.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument, Labels(tags));
        if (instrument.IsObservable)
        {
            _gauges[key] = value;
            return;
        }
        var s = _series.GetOrAdd(key, _ => new Series());
        lock (s)
        {
            s.Sum += value;
            s.Count++;
            if (instrument is Histogram<double> or Histogram<long>)
                for (var b = 0; b < Buckets.Length; b++)
                    if (value <= Buckets[b]) s.BucketCounts[b]++;
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var parts = new List<string>(tags.Length);
        foreach (var t in tags) parts.Add($"{t.Key}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\"");
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Escape(string v) => v.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    /// <summary>The current values, gauges observed now; one scrape at a time, since each clears and refills the gauges.</summary>
    public string Scrape()
    {
        lock (_scraping) return ScrapeAlone();
    }

    private string ScrapeAlone()
    {
        _gauges.Clear(); // a tag no longer observed (a drained queue) must not keep its last value
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var isHistogram = instrument is Histogram<double> or Histogram<long>;
            var name = Name(instrument) + (isHistogram ? "" : "_total");
            text.Append($"# HELP {name} {instrument.Description}\n# TYPE {name} {(isHistogram ? "histogram" : "counter")}\n");
            foreach (var (key, s) in group.OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
                lock (s)
                {
                    if (!isHistogram)
                    {
                        text.Append($"{name}{Braces(key.Labels)} {Number(s.Sum)}\n");
                        continue;
                    }
                    for (var b = 0; b < Buckets.Length; b++)
                        text.Append($"{name}_bucket{Braces(With(key.Labels, $"le=\"{Number(Buckets[b])}\""))} {s.BucketCounts[b]}\n");
                    text.Append($"{name}_bucket{Braces(With(key.Labels, "le=\"+Inf\""))} {s.Count}\n");
                    text.Append($"{name}_sum{Braces(key.Labels)} {Number(s.Sum)}\n{name}_count{Braces(key.Labels)} {s.Count}\n");
                }
        }
        foreach (var group in _gauges.GroupBy(g => g.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var name = Name(group.Key);
            text.Append($"# HELP {name} {group.Key.Description}\n# TYPE {name} gauge\n");
            foreach (var (key, value) in group.OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
                text.Append($"{name}{Braces(key.Labels)} {Number(value)}\n");
        }
        return text.ToString();
    }

    private static string Name(Instrument i) => i.Name.Replace('.', '_') + (i.Unit == "s" ? "_seconds" : "");

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private static string With(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => _listener.Dispose();
}
