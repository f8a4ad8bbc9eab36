using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Streams.Workers;
using Platform.Workers.Rules;

namespace Platform.Workers.Hls;

/// <summary>
/// The HLS worker of one stream, a child of the stream's entity. It joins the stream's hub as a reader and
/// runs an <see cref="HlsPackager"/> over it. When the publisher leaves it closes the open segment and,
/// unless a publisher comes back, removes everything after <see cref="HlsSettings.CleanupAfter"/> and stops.
/// </summary>
public sealed class HlsWorkerActor : ReceiveActor, IWithTimers
{
    private const string CleanupTimer = "cleanup";
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(500);
    private readonly StreamKey _stream;
    private readonly HlsSettings _settings;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private StreamHub? _hub;
    private IDisposable? _demand;
    private ReaderQueue? _queue;
    private HlsPackager? _packager;
    private Task? _run;

    public HlsWorkerActor(StreamKey stream, HlsSettings settings, StreamControl control, ILogger log)
    {
        _stream = stream;
        _settings = settings;
        _control = control;
        _log = log;
        Receive<PublisherChanged>(m =>
        {
            if (m.Publishing)
            {
                Timers.Cancel(CleanupTimer);
            }
            else
            {
                Timers.StartSingleTimer(CleanupTimer, Cleanup.Instance, _settings.CleanupAfter);
            }
        });
        Receive<Cleanup>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StreamKey stream, HlsSettings settings, StreamControl control, ILogger log) =>
        Akka.Actor.Props.Create(() => new HlsWorkerActor(stream, settings, control, log));

    protected override void PreStart()
    {
        // A worker reads the stream wherever it is published: on another node, this node's link feeds the hub.
        _demand = _control.Links.Demand(_stream);
        _hub = _control.Hubs.Acquire(_stream);
        // A packager is a reader that must never be cut for lag: it only writes files.
        // Segments are published whole, seconds apart: the packager takes frames in half-second batches.
        _queue = new ReaderQueue("hls:" + _stream, _hub.Options.Reader with { MaxLag = TimeSpan.FromHours(1), WriteCoalesce = BatchInterval });
        var events = Context.System.EventStream;
        _packager = new HlsPackager(_stream, _settings, _log, onSegment: events.Publish);
        _hub.AddReader(_queue);
        var packager = _packager;
        var hub = _hub;
        var queue = _queue;
        _run = Task.Run(async () =>
        {
            try
            {
                await packager.RunAsync(hub, queue);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "stream {Stream}: HLS packaging failed", _stream);
            }
        });
        _log.LogInformation("stream {Stream}: HLS packaging into {Playlist}", _stream, _packager.PlaylistPath);
    }

    protected override void PostStop()
    {
        _hub?.RemoveReader(_queue!);
        _run?.Wait(TimeSpan.FromSeconds(5));
        _packager?.DeleteAll();
        if (_hub is not null)
        {
            _control.Hubs.Release(_hub);
            _demand?.Dispose();
        }

        _log.LogInformation("stream {Stream}: HLS stopped, files removed", _stream);
    }

    private sealed class Cleanup
    {
        public static readonly Cleanup Instance = new();
    }
}
