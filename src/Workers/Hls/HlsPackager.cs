using Microsoft.Extensions.Logging;
using Platform.Media.Buffers;
using Platform.Media.Hls;
using Platform.Media.Ts;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Streams.Workers;
using Platform.Workers.Rules;

namespace Platform.Workers.Hls;

/// <summary>
/// Packages one stream into MPEG-TS segments and a sliding-window playlist. It is a reader of the
/// stream's hub like any player: frames arrive as shared references in batches. Segments are written as
/// <c>.tmp</c> and renamed when complete, the playlist is replaced atomically, so an HTTP reader never
/// sees a half-written file.
/// </summary>
public sealed partial class HlsPackager
{
    private readonly StreamKey _stream;
    private readonly HlsSettings _settings;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly List<HlsSegment> _window = [];
    private readonly List<string> _windowFiles = [];
    private readonly PooledBufferWriter _buffer = new(64 * 1024);
    private TsMuxer _muxer = new();
    private SegmentCutter? _cutter;
    private FileStream? _segment;
    private string? _segmentName;
    private string? _segmentTemp;
    private DateTimeOffset _segmentWallClock;
    private long _segmentStartMs;
    private long _segmentSequence;
    private long _lastMs = -1;
    private long _extendedBase;
    private uint _lastRaw;
    private bool _discontinuity;
    private string? _publisherId;

    private readonly Action<HlsSegmentClosed>? _onSegment;

    public HlsPackager(StreamKey stream, HlsSettings settings, ILogger log, TimeProvider? time = null, Action<HlsSegmentClosed>? onSegment = null)
    {
        _onSegment = onSegment;
        _stream = stream;
        _settings = settings;
        _log = log;
        _time = time ?? TimeProvider.System;
    }

    public string PlaylistPath => Path.Combine(_settings.Root, HlsNames.Playlist(_stream));

    /// <summary>Segments written so far (for the API and tests).</summary>
    public long SegmentsWritten { get; private set; }

    /// <summary>Reads the hub until <paramref name="queue"/> is closed.</summary>
    public async Task RunAsync(StreamHub hub, ReaderQueue queue)
    {
        var batch = new List<MediaFrame>(128);
        try
        {
            while (await queue.WaitAsync())
            {
                // Woken on the publisher's thread: hop to the pool so the publisher never waits on disk.
                await Task.Yield();
                var publisher = hub.PublisherId;
                if (publisher is not null && _publisherId is not null && publisher != _publisherId)
                {
                    // A new publisher: next segment starts with a discontinuity and fresh codec state.
                    CloseSegment(_lastMs);
                    _discontinuity = true;
                    _muxer = new TsMuxer();
                    _cutter = null;
                }

                _publisherId = publisher ?? _publisherId;
                var ended = publisher is null; // read before draining: every frame of an ended publish is queued
                while (queue.TakeBatch(batch) > 0)
                {
                    foreach (var frame in batch)
                    {
                        Write(frame);
                        frame.Release();
                    }

                    batch.Clear();
                }

                if (ended)
                {
                    // The publish ended (the hub woke us) and everything it sent is written: publish the
                    // open segment rather than leave it unlisted until the cleanup deletes it.
                    PublisherLeft();
                }
            }
        }
        finally
        {
            foreach (var frame in batch)
            {
                frame.Release();
            }
        }
    }

    /// <summary>The publisher left: close the open segment so the playlist holds everything received.</summary>
    private void PublisherLeft() => CloseSegment(_lastMs);

    /// <summary>Removes the playlist and every segment (after the cleanup delay, or when the stream goes).</summary>
    public void DeleteAll()
    {
        CloseSegment(_lastMs, publish: false);
        foreach (var file in _windowFiles)
        {
            TryDelete(file);
        }

        _windowFiles.Clear();
        _window.Clear();
        TryDelete(PlaylistPath);
        _buffer.Dispose();
    }

    private void Write(MediaFrame frame)
    {
        if (frame.Kind == FrameKind.Data)
        {
            return;
        }

        var payload = frame.Payload;
        if (frame.IsSequenceHeader)
        {
            if (frame.Kind == FrameKind.Video)
            {
                _muxer.SetVideoSequenceHeader(payload);
            }
            else
            {
                _muxer.SetAudioSequenceHeader(payload);
            }

            return;
        }

        var isVideo = frame.Kind == FrameKind.Video;
        if (!isVideo && !_muxer.HasAudio)
        {
            // MP3 has no sequence header: its first frame configures the audio, here rather than inside a
            // segment, so that the tables opening every segment (the first too) announce the audio track.
            _muxer.SetAudioSequenceHeader(payload);
        }

        var ms = Extend(frame.Timestamp);
        _cutter ??= new SegmentCutter((long)_settings.Fragment.TotalMilliseconds, hasVideo: _muxer.HasVideo, _settings.Deterministic, FirstSequence());
        switch (_cutter.Offer(isVideo, frame.IsKeyFrame, ms))
        {
            case CutDecision.Skip:
                return;
            case CutDecision.Cut:
                CloseSegment(ms);
                OpenSegment(_cutter.Sequence, ms);
                break;
        }

        if (_segment is null)
        {
            return;
        }

        var written = isVideo
            ? _muxer.WriteVideo(_buffer, frame.Timestamp, payload)
            : _muxer.WriteAudio(_buffer, frame.Timestamp, payload);
        if (written)
        {
            _segment.Write(_buffer.WrittenSpan);
        }

        _buffer.Clear();
        _lastMs = ms;
    }

    /// <summary>32-bit RTMP timestamps extended to 64 bits (the cutter needs them monotonic).</summary>
    private long Extend(uint timestamp)
    {
        if (_lastMs >= 0 && timestamp < _lastRaw && _lastRaw - timestamp > uint.MaxValue / 2)
        {
            _extendedBase += 1L << 32;
        }

        _lastRaw = timestamp;
        return _extendedBase + timestamp;
    }

    private long FirstSequence() => _window.Count > 0 ? _window[^1].Sequence + 1 : 0;
}
