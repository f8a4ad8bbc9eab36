using System.Diagnostics;
using System.Diagnostics.Metrics;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Streams.Telemetry;

/// <summary>
/// The node's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named
/// <see cref="Name"/>. Gauges and byte counters are observed from counters the hubs and the client
/// registry already keep (read when a collector asks, nothing per frame); events (connections, kicks,
/// denials, hook calls) are counted where they happen. Exporters (Prometheus, OTLP) are the host's.
/// </summary>
public static class PlatformTelemetry
{
    public const string Name = "Platform";

    public static readonly string Version = typeof(PlatformTelemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static readonly Meter Meter = new(Name, Version);

    public static readonly ActivitySource ActivitySource = new(Name, Version);

    /// <summary>Histogram buckets for hook latency, in seconds.</summary>
    public static readonly IReadOnlyList<double> HookDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly Lock s_lock = new();
    private static NodeMetrics[] s_nodes = [];
    private static readonly string[] s_actions = [.. Enum.GetValues<AccessAction>().Select(a => a.ToString().ToLowerInvariant())];

    private static readonly Counter<long> s_connections = Meter.CreateCounter<long>(
        "platform.connections", "{connection}", "Connections accepted or refused (over the connection limit), by protocol and outcome.");

    private static readonly Counter<long> s_kicks = Meter.CreateCounter<long>(
        "platform.kicks", "{kick}", "Sessions the server closed, by reason (operator, slow_reader, send_timeout, shutdown, ...).");

    private static readonly Counter<long> s_denials = Meter.CreateCounter<long>(
        "platform.access.denials", "{denial}", "Connects, publishes and plays refused by an access check, by action.");

    private static readonly Counter<long> s_hookCalls = Meter.CreateCounter<long>(
        "platform.hook.calls", "{call}", "HTTP callback calls, by event and outcome.");

    private static readonly Histogram<double> s_hookDuration = Meter.CreateHistogram(
        "platform.hook.duration", "s", "How long HTTP callback calls took, by event and outcome.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HookDurationBuckets });

    private static readonly Instrument[] s_observed =
    [
        Meter.CreateObservableUpDownCounter("platform.streams", () => Sum(n => n.Streams()), "{stream}",
            "Streams with a publisher or a player on this node."),
        Meter.CreateObservableUpDownCounter("platform.streams.publishing", () => Sum(n => n.PublishingStreams()), "{stream}",
            "Streams being published on this node."),
        Meter.CreateObservableUpDownCounter("platform.clients", () => ByProtocol(ClientKindNames.Protocols, null), "{client}",
            "Client connections on this node (publishers, players and RTMP connections that have not published or played yet), by protocol."),
        Meter.CreateObservableUpDownCounter("platform.publishers", () => ByProtocol(ClientKindNames.PublisherProtocols, ClientKindNames.Publisher), "{publisher}",
            "Publishers on this node, by protocol."),
        Meter.CreateObservableUpDownCounter("platform.players", () => ByProtocol(ClientKindNames.PlayerProtocols, ClientKindNames.Player), "{player}",
            "Players on this node, by protocol (rtmp, flv, hls)."),
        Meter.CreateObservableCounter("platform.io", ObserveIo, "By",
            "Media bytes received from publishers (direction=in) and sent to RTMP and HTTP-FLV players (direction=out)."),
        Meter.CreateObservableCounter("platform.frames", () => Sum(n => n.Totals().FramesIn), "{frame}",
            "Media frames received from publishers."),
        Meter.CreateObservableGauge("platform.bitrate", ObserveBitrate, "kbit/s",
            "Current media bit rate in and out of this node, averaged since the previous reading (at least 2 s)."),
        Meter.CreateObservableCounter("platform.reader.dropped_frames", () => ReaderDrops.DroppedFrames, "{frame}",
            "Frames dropped for readers that fell behind (a full queue skips to the next keyframe)."),
        Meter.CreateObservableCounter("platform.reader.overflows", () => ReaderDrops.Overflows, "{overflow}",
            "Times a reader's queue overflowed."),
    ];

    /// <summary>The observed instruments' names (for documentation and tests).</summary>
    public static IEnumerable<string> ObservedInstruments => s_observed.Select(i => i.Name);

    /// <summary>Adds a node's hubs and clients to the observed gauges and counters until disposed.</summary>
    public static IDisposable Observe(NodeMetrics node)
    {
        lock (s_lock)
        {
            s_nodes = [.. s_nodes, node];
        }

        return new Unobserve(node);
    }

    /// <summary>
    /// Gives the event counters their known series at zero (protocols, outcomes, actions, kick reasons), so
    /// dashboards and rates see them before the first event. Call once a metrics exporter listens.
    /// </summary>
    public static void InitializeCounters()
    {
        foreach (var protocol in new[] { "rtmp", "flv" })
        {
            s_connections.Add(0, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", "accepted"));
            s_connections.Add(0, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", "refused"));
        }

        foreach (var action in s_actions)
        {
            s_denials.Add(0, new KeyValuePair<string, object?>("action", action));
        }

        foreach (var reason in KickReasons.All)
        {
            s_kicks.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>A connection accepted, or refused because of the connection limit.</summary>
    public static void RecordConnection(string protocol, bool accepted) =>
        s_connections.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", accepted ? "accepted" : "refused"));

    /// <summary>A session closed by the server; the free-text reason is sorted by <see cref="KickReasons"/>.</summary>
    public static void RecordKick(string? reason) =>
        s_kicks.Add(1, new KeyValuePair<string, object?>("reason", KickReasons.Classify(reason)));

    /// <summary>An access check refused <paramref name="action"/>.</summary>
    public static void RecordDenial(AccessAction action)
    {
        var index = (int)action;
        var name = index >= 0 && index < s_actions.Length ? s_actions[index] : "unknown";
        s_denials.Add(1, new KeyValuePair<string, object?>("action", name));
    }

    /// <summary>
    /// One HTTP callback call: <paramref name="event"/> as the hook's name (<c>on_publish</c>), <paramref name="outcome"/>
    /// a short lower-case word (<c>accepted</c>, <c>rejected</c>, <c>timedout</c>, <c>failed</c>, ...).
    /// </summary>
    public static void RecordHookCall(string @event, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "event", @event }, { "outcome", outcome } };
        s_hookCalls.Add(1, tags);
        s_hookDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>
    /// Starts the span of one HTTP callback call (a child of the connection's span when called from the
    /// session); the caller stops it (dispose) and may add the outcome with <c>SetTag</c>. Null when no one traces.
    /// </summary>
    public static Activity? StartHookCall(string @event, string url)
    {
        var activity = ActivitySource.StartActivity("hook " + @event, ActivityKind.Client);
        activity?.SetTag("platform.hook.event", @event);
        activity?.SetTag("url.full", url);
        return activity;
    }

    /// <summary>
    /// Starts a span that lasts longer than the code that starts it (a publish, a play) without making it the
    /// current one; stop it with <see cref="StopDetached"/>. Null when no one traces.
    /// </summary>
    public static Activity? StartDetached(string name, ClientInfo client)
    {
        var previous = Activity.Current;
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        Activity.Current = previous;
        activity.SetTag(TagNames.ClientId, client.Id);
        activity.SetTag(TagNames.Stream, client.Stream.EntityId);
        activity.SetTag(TagNames.ClientKind, client.Kind.ToString());
        return activity;
    }

    /// <summary>Stops a span from <see cref="StartDetached"/> without changing the caller's current span.</summary>
    public static void StopDetached(Activity? activity)
    {
        if (activity is null)
        {
            return;
        }

        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }

    private static long Sum(Func<NodeMetrics, long> read)
    {
        long total = 0;
        foreach (var node in Volatile.Read(ref s_nodes))
        {
            total += read(node);
        }

        return total;
    }

    private static IEnumerable<Measurement<long>> ByProtocol(IReadOnlyList<string> protocols, string? role)
    {
        var counts = new long[protocols.Count];
        foreach (var node in Volatile.Read(ref s_nodes))
        {
            node.CountClients(protocols, role, counts);
        }

        var measurements = new Measurement<long>[protocols.Count];
        for (var i = 0; i < protocols.Count; i++)
        {
            measurements[i] = new Measurement<long>(counts[i], new KeyValuePair<string, object?>("protocol", protocols[i]));
        }

        return measurements;
    }

    private static IEnumerable<Measurement<long>> ObserveIo()
    {
        long bytesIn = 0, bytesOut = 0;
        foreach (var node in Volatile.Read(ref s_nodes))
        {
            var totals = node.Totals();
            bytesIn += totals.BytesIn;
            bytesOut += totals.BytesOut;
        }

        return [new(bytesIn, Direction("in")), new(bytesOut, Direction("out"))];
    }

    private static IEnumerable<Measurement<double>> ObserveBitrate()
    {
        double kbpsIn = 0, kbpsOut = 0;
        foreach (var node in Volatile.Read(ref s_nodes))
        {
            var (rateIn, rateOut) = node.Bitrate();
            kbpsIn += rateIn;
            kbpsOut += rateOut;
        }

        return [new(kbpsIn, Direction("in")), new(kbpsOut, Direction("out"))];
    }

    private static KeyValuePair<string, object?> Direction(string direction) => new("direction", direction);

    private sealed class Unobserve(NodeMetrics node) : IDisposable
    {
        public void Dispose()
        {
            lock (s_lock)
            {
                s_nodes = Array.FindAll(s_nodes, n => !ReferenceEquals(n, node));
            }
        }
    }
}

/// <summary>Span attribute names used on connection, publish and play spans.</summary>
public static class TagNames
{
    public const string ClientId = "platform.client.id";
    public const string ClientKind = "platform.client.kind";
    public const string Stream = "platform.stream";
    public const string ClientAddress = "client.address";
    public const string Protocol = "network.protocol.name";
    public const string BytesReceived = "platform.bytes.received";
    public const string BytesSent = "platform.bytes.sent";
    public const string EndReason = "platform.end_reason";
    public const string DroppedFrames = "platform.reader.dropped_frames";
}
