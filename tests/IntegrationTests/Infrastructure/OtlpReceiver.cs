using System.Net;
using System.Text;

namespace Windmill.Jobs.IntegrationTests;

/// <summary>
/// A minimal OTLP/HTTP collector (protobuf bodies on <c>/v1/traces</c> and <c>/v1/metrics</c>) for tests: it keeps
/// the spans and metric data points it is sent, decoded with just enough of the OTLP protobuf schema to check
/// what an operator's collector would see.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ExportedSpan> _spans = [];
    private readonly List<ExportedPoint> _points = [];
    private readonly Task _loop;

    public string Endpoint { get; }

    public OtlpReceiver()
    {
        var port = ServicesFixture.FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The environment that points a process's exporter here, with short export intervals.</summary>
    public Dictionary<string, string?> ExporterEnv() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public IReadOnlyList<ExportedSpan> Spans { get { lock (_spans) return _spans.ToList(); } }
    public IReadOnlyList<ExportedPoint> Points { get { lock (_points) return _points.ToList(); } }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; } // stopped
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var bytes = body.ToArray();
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/v1/traces":
                    lock (_spans) _spans.AddRange(DecodeSpans(bytes));
                    break;
                case "/v1/metrics":
                    lock (_points) _points.AddRange(DecodePoints(bytes));
                    break;
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close(); // an empty Export*ServiceResponse
        }
    }

    // ExportTraceServiceRequest { 1 ResourceSpans { 1 Resource, 2 ScopeSpans { 2 Span } } }
    private static IEnumerable<ExportedSpan> DecodeSpans(byte[] request)
    {
        foreach (var resourceSpans in Proto.Messages(request, 1))
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in Proto.Messages(resourceSpans, 2))
            foreach (var span in Proto.Messages(scopeSpans, 2))
                yield return new ExportedSpan(service, Hex(Proto.Bytes(span, 1)), Hex(Proto.Bytes(span, 2)), Hex(Proto.Bytes(span, 4)),
                    Proto.Text(span, 5), (int)Proto.Varint(span, 6));
        }
    }

    // ExportMetricsServiceRequest { 1 ResourceMetrics { 1 Resource, 2 ScopeMetrics { 2 Metric { 1 name, 7 Sum { 1 NumberDataPoint } } } } }
    private static IEnumerable<ExportedPoint> DecodePoints(byte[] request)
    {
        foreach (var resourceMetrics in Proto.Messages(request, 1))
        {
            var service = ServiceName(resourceMetrics);
            foreach (var scopeMetrics in Proto.Messages(resourceMetrics, 2))
            foreach (var metric in Proto.Messages(scopeMetrics, 2))
            foreach (var sum in Proto.Messages(metric, 7))
            foreach (var point in Proto.Messages(sum, 1))
                yield return new ExportedPoint(service, Proto.Text(metric, 1), Attributes(point, 7), Proto.Fixed64(point, 6));
        }
    }

    // Resource { 1 KeyValue }
    private static string ServiceName(ReadOnlyMemory<byte> withResource) =>
        Proto.Messages(withResource, 1).Select(r => Attributes(r, 1).GetValueOrDefault("service.name")).FirstOrDefault(n => n is not null) ?? "";

    // KeyValue { 1 key, 2 AnyValue { 1 string_value } }
    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, int field) =>
        Proto.Messages(message, field).ToDictionary(kv => Proto.Text(kv, 1), kv => Proto.Messages(kv, 2).Select(v => Proto.Text(v, 1)).FirstOrDefault() ?? "");

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }

    /// <summary>The protobuf wire format, read-only: fields of a message by number.</summary>
    private static class Proto
    {
        private static List<(int Field, int Wire, ulong Number, ReadOnlyMemory<byte> Payload)> Fields(ReadOnlyMemory<byte> message)
        {
            var fields = new List<(int, int, ulong, ReadOnlyMemory<byte>)>();
            var bytes = message.Span;
            var at = 0;
            while (at < bytes.Length)
            {
                var key = ReadVarint(bytes, ref at);
                var (field, wire) = ((int)(key >> 3), (int)(key & 7));
                switch (wire)
                {
                    case 0: fields.Add((field, wire, ReadVarint(bytes, ref at), default)); break;
                    case 1: fields.Add((field, wire, BitConverter.ToUInt64(bytes.Slice(at, 8)), default)); at += 8; break;
                    case 5: fields.Add((field, wire, BitConverter.ToUInt32(bytes.Slice(at, 4)), default)); at += 4; break;
                    case 2:
                        var length = (int)ReadVarint(bytes, ref at);
                        fields.Add((field, wire, 0, message.Slice(at, length)));
                        at += length;
                        break;
                    default: throw new InvalidDataException($"protobuf wire type {wire} at byte {at}");
                }
            }
            return fields;
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = bytes[at++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
        }

        public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Field == field && f.Wire == 2).Select(f => f.Payload).ToList();

        public static ReadOnlyMemory<byte> Bytes(ReadOnlyMemory<byte> message, int field) => Messages(message, field).FirstOrDefault();
        public static string Text(ReadOnlyMemory<byte> message, int field) => Encoding.UTF8.GetString(Bytes(message, field).Span);
        public static ulong Varint(ReadOnlyMemory<byte> message, int field) => Fields(message).Where(f => f.Field == field && f.Wire == 0).Select(f => f.Number).FirstOrDefault();
        public static long? Fixed64(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Field == field && f.Wire == 1).Select(f => (long?)f.Number).FirstOrDefault();
    }
}

/// <summary>A span as exported; ids in lowercase hex, <see cref="Kind"/> as OTLP numbers it (2 server, 3 client, 5 consumer).</summary>
public sealed record ExportedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind);

/// <summary>One data point of a sum (counter) as exported: its attributes and integer value.</summary>
public sealed record ExportedPoint(string Service, string Metric, IReadOnlyDictionary<string, string> Attributes, long? Value);
