using Platform.Media.Buffers;
using Platform.Media.Codecs;

namespace Platform.Streams.Hub;

/// <summary>
/// The data plane of one stream on one node: keeps metadata, sequence headers and the current GOP, and
/// hands every frame to each reader's bounded queue by reference. The publisher's thread writes; it never
/// waits for a reader. Readers join at any time (even before a publisher) and get the cached state first.
/// Owned by <see cref="HubRegistry"/>, which frees it when it has no publisher and no reader.
/// </summary>
public sealed partial class StreamHub
{
    /// <summary>Audio held for the next video frame waits at most this long when no video comes.</summary>
    private static readonly TimeSpan MinFlushDelay = TimeSpan.FromMilliseconds(50);

    [ThreadStatic]
    private static List<ReaderQueue>? t_wake;

    private readonly Lock _lock = new();
    private readonly HubOptions _options;
    private readonly TimestampCorrector _corrector;
    private readonly List<MediaFrame> _gop = [];
    private ReaderQueue[] _readers = [];
    private MediaFrame? _metadata;
    private MediaFrame? _videoHeader;
    private MediaFrame? _audioHeader;
    private long _gopBytes;
    private bool _gopOverflow;
    private string? _publisherId;
    private bool _flushScheduled;
    private long _flushDueTicks;

    internal StreamHub(StreamKey key, HubOptions options)
    {
        Key = key;
        _options = options;
        _corrector = new TimestampCorrector(options.Jitter);
    }

    public StreamKey Key { get; }

    public HubOptions Options => _options;

    internal int Users { get; set; }

    public HubStats Stats { get; } = new();

    public string? PublisherId
    {
        get
        {
            lock (_lock)
            {
                return _publisherId;
            }
        }
    }

    public bool IsPublishing => PublisherId is not null;

    public int ReaderCount => Volatile.Read(ref _readers).Length;

    /// <summary>Starts a publish; false if another publisher holds this hub.</summary>
    public bool BeginPublish(string publisherId)
    {
        lock (_lock)
        {
            if (_publisherId is not null)
            {
                return false;
            }

            _publisherId = publisherId;
            _corrector.Restart();
            Stats.BeginPublish();
        }

        WakeReaders();
        return true;
    }

    /// <summary>Ends the publish of <paramref name="publisherId"/>: caches are dropped, readers stay.</summary>
    public void EndPublish(string publisherId)
    {
        lock (_lock)
        {
            if (_publisherId != publisherId)
            {
                return;
            }

            _publisherId = null;
            ClearCachesLocked();
        }

        WakeReaders();
    }

    /// <summary>
    /// Some readers were not woken for the last frame (merged writes): make sure they are by the end of
    /// their coalescing interval even if no further frame comes (a paused or one-frame-a-second source).
    /// </summary>
    private void ScheduleFlushLocked()
    {
        if (_flushScheduled)
        {
            return;
        }

        _flushScheduled = true;
        _flushDueTicks = TimeProvider.System.GetTimestamp() + FlushDelayTicks(_options.Reader.WriteCoalesce);
        HubFlusher.Enlist(this);
    }

    private static long FlushDelayTicks(TimeSpan coalesce) =>
        (long)((coalesce < MinFlushDelay ? MinFlushDelay : coalesce).TotalSeconds * TimeProvider.System.TimestampFrequency);

    /// <summary>
    /// Called by <see cref="HubFlusher"/>: wakes the readers whose held frames are due. False when some are
    /// not due yet; the hub then stays enlisted until the earliest of them.
    /// </summary>
    internal bool FlushIfDue(long now)
    {
        ReaderQueue[] readers;
        lock (_lock)
        {
            if (now < _flushDueTicks)
            {
                return false;
            }

            readers = _readers;
        }

        var next = long.MaxValue;
        var minDelay = FlushDelayTicks(TimeSpan.Zero);
        foreach (var reader in readers)
        {
            var due = reader.WakeIfDue(now, minDelay);
            if (due != 0 && due < next)
            {
                next = due;
            }
        }

        lock (_lock)
        {
            if (next == long.MaxValue)
            {
                _flushScheduled = false;
                return true;
            }

            _flushDueTicks = next;
            return false;
        }
    }

    /// <summary>Lets waiting readers look at the stream again (a publisher came or went).</summary>
    private void WakeReaders()
    {
        foreach (var reader in Volatile.Read(ref _readers))
        {
            reader.Wake();
        }
    }

    /// <summary>
    /// Writes one publisher message; the hub takes ownership of <paramref name="payload"/>.
    /// </summary>
    public void Write(FrameKind kind, uint timestamp, PooledBuffer payload)
    {
        var span = payload.ReadOnlySpan;
        bool keyFrame = false, sequenceHeader = false;
        if (kind == FrameKind.Video && VideoTag.TryParse(span, out var video))
        {
            keyFrame = video.IsKeyFrame;
            sequenceHeader = video.IsSequenceHeader;
            if (sequenceHeader)
            {
                Stats.Video = CodecInfoParser.FromVideoSequenceHeader(span) ?? Stats.Video;
            }
        }
        else if (kind == FrameKind.Audio && AudioTag.TryParse(span, out var audio))
        {
            sequenceHeader = audio.Codec == AudioCodec.Aac && audio.IsSequenceHeader;
            if (sequenceHeader || (audio.Codec != AudioCodec.Aac && Stats.Audio is null))
            {
                Stats.Audio = CodecInfoParser.FromAudioTag(span) ?? Stats.Audio;
            }
        }

        // Taken from the thread for the duration of this write, so a nested write gets a list of its own.
        var wakeList = t_wake ?? [];
        t_wake = null;
        lock (_lock)
        {
            var frame = new MediaFrame(kind, _corrector.Correct(kind, timestamp), payload, keyFrame, sequenceHeader);
            Stats.CountIn(frame);
            CacheLocked(frame);

            // Readers wake on video frames (and on anything of an audio-only stream); audio in between
            // rides along with the next video frame: fewer, larger writes for the same latency.
            var wake = kind != FrameKind.Audio || sequenceHeader || _videoHeader is null;
            var readers = _readers;
            for (var i = 0; i < readers.Length; i++)
            {
                if (readers[i].Offer(frame, wake))
                {
                    wakeList.Add(readers[i]);
                }
            }

            frame.Release();
            if (wakeList.Count < readers.Length)
            {
                ScheduleFlushLocked();
            }
        }

        // Outside the lock: each woken reader writes its batch right here, on the publisher's thread
        // (sockets are non-blocking; a write that cannot complete goes on asynchronously).
        try
        {
            for (var i = 0; i < wakeList.Count; i++)
            {
                wakeList[i].Signal();
            }
        }
        finally
        {
            wakeList.Clear();
            t_wake = wakeList;
        }
    }

    /// <summary>Adds a reader; it first gets metadata, sequence headers and the cached GOP.</summary>
    public void AddReader(ReaderQueue reader)
    {
        lock (_lock)
        {
            if (_metadata is not null)
            {
                reader.Enqueue(_metadata);
            }

            if (_videoHeader is not null)
            {
                reader.Enqueue(_videoHeader);
            }

            if (_audioHeader is not null)
            {
                reader.Enqueue(_audioHeader);
            }

            foreach (var frame in _gop)
            {
                reader.Enqueue(frame);
            }

            _readers = [.. _readers, reader];
        }
    }

    public void RemoveReader(ReaderQueue reader)
    {
        lock (_lock)
        {
            _readers = Array.FindAll(_readers, r => !ReferenceEquals(r, reader));
        }

        reader.Close("reader left");
    }

    /// <summary>Closes every reader (the hub is going away or the stream was stopped).</summary>
    internal void Shutdown(string reason)
    {
        ReaderQueue[] readers;
        lock (_lock)
        {
            readers = _readers;
            _readers = [];
            _publisherId = null;
            ClearCachesLocked();
        }

        foreach (var reader in readers)
        {
            reader.Close(reason);
        }
    }

    private void CacheLocked(MediaFrame frame)
    {
        if (frame.Kind == FrameKind.Data)
        {
            Replace(ref _metadata, frame);
            return;
        }

        if (frame.IsSequenceHeader)
        {
            if (frame.Kind == FrameKind.Video)
            {
                Replace(ref _videoHeader, frame);
            }
            else
            {
                Replace(ref _audioHeader, frame);
            }

            return;
        }

        if (!_options.GopCache)
        {
            return;
        }

        if (frame.Kind == FrameKind.Video && frame.IsKeyFrame)
        {
            ClearGopLocked();
            _gopOverflow = false;
        }
        else if (_gopOverflow || _gop.Count == 0)
        {
            // Nothing is cached until a keyframe opens a GOP.
            return;
        }

        if (_gop.Count >= _options.MaxGopFrames || _gopBytes + frame.Length > _options.MaxGopBytes)
        {
            ClearGopLocked();
            _gopOverflow = true;
            return;
        }

        _gop.Add(frame.AddRef());
        _gopBytes += frame.Length;
    }

    private static void Replace(ref MediaFrame? slot, MediaFrame frame)
    {
        slot?.Release();
        slot = frame.AddRef();
    }

    private void ClearGopLocked()
    {
        foreach (var frame in _gop)
        {
            frame.Release();
        }

        _gop.Clear();
        _gopBytes = 0;
    }

    private void ClearCachesLocked()
    {
        ClearGopLocked();
        _metadata?.Release();
        _metadata = null;
        _videoHeader?.Release();
        _videoHeader = null;
        _audioHeader?.Release();
        _audioHeader = null;
    }
}
