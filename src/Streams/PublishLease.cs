using Akka.Actor;
using Platform.Media.Buffers;
using Platform.Streams.Entity;
using Platform.Streams.Hub;

namespace Platform.Streams;

/// <summary>
/// A granted publish: the session writes frames into the hub through it, and it reports the hub's
/// counters to the entity. Disposing it ends the publish (readers stay for the next publisher).
/// </summary>
public sealed class PublishLease : IDisposable
{
    private readonly StreamControl _control;
    private readonly Clients.ClientInfo _client;
    private readonly IActorRef _session;
    private readonly Timer _reporter;
    private readonly System.Diagnostics.Activity? _span;
    private long _lastBytesIn;
    private long _lastBytesOut;
    private long _lastReportTicks;
    private int _disposed;

    internal PublishLease(StreamControl control, Clients.ClientInfo client, IActorRef session, StreamHub hub)
    {
        _control = control;
        _client = client;
        _session = session;
        Hub = hub;
        _lastReportTicks = Environment.TickCount64;
        _reporter = new Timer(static s => ((PublishLease)s!).Report(), this, control.Options.StatsInterval, control.Options.StatsInterval);
        _span = Telemetry.PlatformTelemetry.StartDetached("publish", client);
    }

    public StreamHub Hub { get; }

    /// <summary>Writes one message; the hub takes ownership of the payload.</summary>
    public void Write(FrameKind kind, uint timestamp, PooledBuffer payload) => Hub.Write(kind, timestamp, payload);

    /// <summary>Sends the current counters to the entity now (also done on a timer).</summary>
    public void Report()
    {
        var stats = Hub.Stats;
        var now = Environment.TickCount64;
        var seconds = Math.Max(0.001, (now - Interlocked.Exchange(ref _lastReportTicks, now)) / 1000.0);
        var bytesIn = stats.BytesIn;
        var bytesOut = stats.BytesOut;
        var kbpsIn = (int)((bytesIn - Interlocked.Exchange(ref _lastBytesIn, bytesIn)) * 8 / 1000 / seconds);
        var kbpsOut = (int)((bytesOut - Interlocked.Exchange(ref _lastBytesOut, bytesOut)) * 8 / 1000 / seconds);
        var counters = new StreamCounters(stats.FramesIn, bytesIn, bytesOut, kbpsIn, kbpsOut, stats.Video, stats.Audio);
        _control.Region.Tell(new ReportStreamStats(Hub.Key, _client, _session, _control.MediaEndpoint, counters));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _reporter.Dispose();
        Report();
        Hub.EndPublish(_client.Id);
        _control.Hubs.Release(Hub);
        _control.Region.Tell(new UnpublishStream(Hub.Key, _client.Id));
        _span?.SetTag(Telemetry.TagNames.BytesReceived, Hub.Stats.BytesIn);
        Telemetry.PlatformTelemetry.StopDetached(_span);
    }

}
