using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Streams.Workers;
using Platform.Workers.Rules;

namespace Platform.Workers.Dvr;

/// <summary>
/// The DVR worker of one stream, a child of the stream's entity: reads the hub like a player and writes
/// FLV recordings (one per publish, or one per segment), each finalized when it closes. Every closed file
/// is announced as <see cref="DvrFileClosed"/> on the event stream.
/// </summary>
public sealed class DvrWorkerActor : ReceiveActor, IWithTimers
{
    /// <summary>How long the worker waits for a publisher to come back before it stops.</summary>
    public static readonly TimeSpan StopAfterUnpublish = TimeSpan.FromSeconds(5);

    private readonly StreamKey _stream;
    private readonly DvrSettings _settings;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private StreamHub? _hub;
    private IDisposable? _demand;
    private ReaderQueue? _queue;
    private Task? _run;
    private FlvRecording? _recording;
    private SegmentPlan _plan;

    public DvrWorkerActor(StreamKey stream, DvrSettings settings, StreamControl control, ILogger log)
    {
        _stream = stream;
        _settings = settings;
        _control = control;
        _log = log;
        _plan = new SegmentPlan(settings.Plan, settings.SegmentDuration);
        // The recording itself is closed by the reading loop once the hub has no publisher and the
        // queue is drained, so no frame of the ended publish can open a new file after it.
        Receive<PublisherChanged>(m =>
        {
            if (m.Publishing)
            {
                Timers.Cancel("stop");
            }
            else
            {
                Timers.StartSingleTimer("stop", StopNow.Instance, StopAfterUnpublish);
            }
        });
        Receive<StopNow>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StreamKey stream, DvrSettings settings, StreamControl control, ILogger log) =>
        Akka.Actor.Props.Create(() => new DvrWorkerActor(stream, settings, control, log));

    protected override void PreStart()
    {
        // A worker reads the stream wherever it is published: on another node, this node's link feeds the hub.
        _demand = _control.Links.Demand(_stream);
        _hub = _control.Hubs.Acquire(_stream);
        _queue = new ReaderQueue("dvr:" + _stream, _hub.Options.Reader with { MaxLag = TimeSpan.FromHours(1) });
        _hub.AddReader(_queue);
        var events = Context.System.EventStream;
        var hub = _hub;
        _run = Task.Run(() => RunAsync(hub, _queue, events));
        _log.LogInformation("stream {Stream}: DVR ({Plan}) into {Root}", _stream, _settings.Plan, _settings.Root);
    }

    protected override void PostStop()
    {
        _hub?.RemoveReader(_queue!);
        _run?.Wait(TimeSpan.FromSeconds(10));
        lock (_lock)
        {
            CloseRecording();
        }

        if (_hub is not null)
        {
            _control.Hubs.Release(_hub);
            _demand?.Dispose();
        }
    }

    private async Task RunAsync(StreamHub hub, ReaderQueue queue, Akka.Event.EventStream events)
    {
        _events = events;
        var batch = new List<MediaFrame>(128);
        try
        {
            while (await queue.WaitAsync())
            {
                // Woken on the publisher's thread: hop to the pool so the publisher never waits on disk.
                await Task.Yield();
                var ended = !hub.IsPublishing; // read before draining: every frame of an ended publish is queued
                while (queue.TakeBatch(batch) > 0)
                {
                    lock (_lock)
                    {
                        foreach (var frame in batch)
                        {
                            Write(frame);
                        }

                        _recording?.Flush();
                    }

                    foreach (var frame in batch)
                    {
                        frame.Release();
                    }

                    batch.Clear();
                }

                if (ended)
                {
                    // The publish ended (woken by the hub) and everything it sent is written.
                    lock (_lock)
                    {
                        CloseRecording();
                    }
                }
            }
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "stream {Stream}: DVR failed", _stream);
        }
        finally
        {
            foreach (var frame in batch)
            {
                frame.Release();
            }
        }
    }

    private Akka.Event.EventStream? _events;

    private void Write(MediaFrame frame)
    {
        if (_recording is not null && _plan.ShouldCut(frame.Kind, frame.Timestamp, frame.IsKeyFrame, frame.IsSequenceHeader))
        {
            var next = _recording.CreateNext(NextPath());
            CloseRecording();
            _recording = next;
        }

        if (_recording is null)
        {
            _recording = FlvRecording.Create(NextPath());
            _plan.Reset();
            _plan.ShouldCut(frame.Kind, frame.Timestamp, frame.IsKeyFrame, frame.IsSequenceHeader);
        }

        _recording.Write(frame);
    }

    private string NextPath()
    {
        var path = DvrPathTemplate.Expand(_settings.File, _settings.Root, _stream, DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private void CloseRecording()
    {
        var recording = _recording;
        _recording = null;
        if (recording is null)
        {
            return;
        }

        try
        {
            var file = recording.Close();
            if (file is not null)
            {
                _log.LogInformation("stream {Stream}: recorded {File}, {Duration:0.0} s, {Size} bytes", _stream, file.Path, file.Duration.TotalSeconds, file.Size);
                _events?.Publish(new DvrFileClosed(_stream, file.Path, file.Start, file.Duration, file.Size));
            }
        }
        catch (IOException ex)
        {
            _log.LogError(ex, "stream {Stream}: could not finalize {File}; it is left as .tmp for recovery at the next start", _stream, recording.TempPath);
        }
    }

    private sealed class StopNow
    {
        public static readonly StopNow Instance = new();
    }
}
