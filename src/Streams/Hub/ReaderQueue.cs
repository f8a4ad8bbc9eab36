using System.Threading.Tasks.Sources;
using Platform.Streams.Telemetry;

namespace Platform.Streams.Hub;

/// <summary>
/// One reader's bounded queue of shared frames. The hub enqueues under its lock and never waits; the
/// reader's own loop takes frames in batches. When the queue is full the reader drops everything queued
/// and skips audio and video until the next video keyframe (sequence headers and metadata are always kept),
/// so a slow reader only hurts itself. A reader that takes nothing for <see cref="ReaderOptions.MaxLag"/>
/// is closed.
/// </summary>
public sealed class ReaderQueue : IValueTaskSource<bool>
{
    private readonly ReaderOptions _options;
    private readonly Queue<MediaFrame> _frames = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    // Continuations run on the thread that wakes the reader: the hub wakes readers after releasing its
    // lock, so a reader's next (non-blocking) socket write happens right there, without a thread hop.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = false };
    private bool _waiting;
    private long _queuedBytes;
    private long _lastTakeTicks;
    private readonly long _coalesceTicks;
    private bool _waitKeyFrame;
    private bool _closed;
    private long _reportedDrops;

    public ReaderQueue(string readerId, ReaderOptions options, TimeProvider? time = null)
    {
        ReaderId = readerId;
        _options = options;
        _time = time ?? TimeProvider.System;
        _lastTakeTicks = _time.GetTimestamp();
        _coalesceTicks = (long)(options.WriteCoalesce.TotalSeconds * _time.TimestampFrequency);
    }

    public string ReaderId { get; }

    /// <summary>Frames dropped because this reader fell behind.</summary>
    public long DroppedFrames { get; private set; }

    /// <summary>Times the queue overflowed and dropped to a keyframe.</summary>
    public long Overflows { get; private set; }

    public string? CloseReason { get; private set; }

    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _frames.Count;
            }
        }
    }

    /// <summary>Queued frames past which the reader is woken even for frames that do not wake it.</summary>
    public const int WakeBacklog = 64;

    /// <summary>
    /// Offers a frame; the queue takes its own reference if it keeps it. With <paramref name="wake"/> false
    /// the reader is not woken for this frame alone (the hub paces wake-ups on video frames so that one
    /// write carries the audio that came with them); a waking frame wakes the reader only once
    /// <see cref="ReaderOptions.WriteCoalesce"/> has passed since its last batch; past
    /// <see cref="WakeBacklog"/> queued frames the reader is always woken.
    /// </summary>
    public void Enqueue(MediaFrame frame, bool wake = true)
    {
        if (Offer(frame, wake))
        {
            Signal();
        }
    }

    /// <summary>
    /// Queues a frame without waking the reader; true means the reader waits for it and the caller must
    /// call <see cref="Signal"/> once (outside any lock of its own).
    /// </summary>
    public bool Offer(MediaFrame frame, bool wake = true)
    {
        lock (_lock)
        {
            if (_closed || !OfferLocked(frame))
            {
                return false;
            }

            var due = _closed || _frames.Count >= WakeBacklog
                || (wake && (_coalesceTicks == 0 || _time.GetTimestamp() - _lastTakeTicks >= _coalesceTicks));
            return due && TakeWaiterLocked();
        }
    }

    /// <summary>
    /// The hub's flush: wakes the reader if it waits while frames are queued and its merge window (at least
    /// <paramref name="minDelayTicks"/>) has passed since its last batch. Returns 0 when there is nothing
    /// left to do, else the timestamp at which the held frames fall due.
    /// </summary>
    public long WakeIfDue(long now, long minDelayTicks)
    {
        lock (_lock)
        {
            if (_frames.Count == 0 || !_waiting)
            {
                // Nothing held, or the reader is busy and takes what is queued when it comes back.
                return 0;
            }

            var due = _lastTakeTicks + Math.Max(_coalesceTicks, minDelayTicks);
            if (now < due)
            {
                return due;
            }

            TakeWaiterLocked();
        }

        Signal();
        return 0;
    }

    /// <summary>Completes the reader's wait taken by a true <see cref="Offer"/>.</summary>
    public void Signal() => _signal.SetResult(true);

    /// <summary>Applies the drop rules; true when the reader should be woken.</summary>
    private bool OfferLocked(MediaFrame frame)
    {
        var essential = frame.IsSequenceHeader || frame.Kind == FrameKind.Data;
        var keyFrame = frame.Kind == FrameKind.Video && frame.IsKeyFrame;
        if (_waitKeyFrame && !essential)
        {
            if (!keyFrame)
            {
                DroppedFrames++;
                return false;
            }

            _waitKeyFrame = false;
            ReportDropsLocked();
        }

        if (_frames.Count > 0 && _time.GetElapsedTime(_lastTakeTicks) > _options.MaxLag)
        {
            CloseLocked($"reader took nothing for {_options.MaxLag.TotalSeconds:0} s");
            return true;
        }

        if (!essential && (_frames.Count >= _options.MaxQueuedFrames || _queuedBytes + frame.Length > _options.MaxQueuedBytes))
        {
            Overflows++;
            DropAllLocked();
            ReaderDrops.AddOverflow();
            ReportDropsLocked();
            if (!keyFrame)
            {
                _waitKeyFrame = true;
                DroppedFrames++;
                return false;
            }
        }

        _frames.Enqueue(frame.AddRef());
        _queuedBytes += frame.Length;
        return true;
    }

    /// <summary>
    /// Waits until frames are queued or <see cref="Wake"/> is called (true), or the queue is closed (false).
    /// One reader at a time; the wait allocates nothing.
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        lock (_lock)
        {
            if (_frames.Count > 0)
            {
                return ValueTask.FromResult(true);
            }

            if (_closed)
            {
                return ValueTask.FromResult(false);
            }

            if (!_waiting)
            {
                _signal.Reset();
                _waiting = true;
            }

            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>Wakes a waiting reader so it looks at the stream again (publisher changed, a timer fired).</summary>
    public void Wake()
    {
        bool wake;
        lock (_lock)
        {
            wake = TakeWaiterLocked();
        }

        if (wake)
        {
            _signal.SetResult(!IsClosed);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);

    /// <summary>Moves up to <see cref="ReaderOptions.MaxBatchFrames"/> frames into <paramref name="batch"/>;
    /// the caller owns their references and releases them after writing.</summary>
    public int TakeBatch(List<MediaFrame> batch)
    {
        lock (_lock)
        {
            var taken = 0;
            while (taken < _options.MaxBatchFrames && _frames.TryDequeue(out var frame))
            {
                _queuedBytes -= frame.Length;
                batch.Add(frame);
                taken++;
            }

            _lastTakeTicks = _time.GetTimestamp();
            return taken;
        }
    }

    /// <summary>Closes the queue, releases what it holds and wakes the reader.</summary>
    public void Close(string reason)
    {
        bool wake;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            CloseLocked(reason);
            wake = TakeWaiterLocked();
        }

        if (wake)
        {
            _signal.SetResult(false);
        }
    }

    private void CloseLocked(string reason)
    {
        _closed = true;
        CloseReason = reason;
        DropAllLocked();
        ReportDropsLocked();
    }

    /// <summary>Adds the drops since the last report to the node's totals: once per episode, not per frame.</summary>
    private void ReportDropsLocked()
    {
        var unreported = DroppedFrames - _reportedDrops;
        if (unreported > 0)
        {
            _reportedDrops = DroppedFrames;
            ReaderDrops.AddDropped(unreported);
        }
    }

    private void DropAllLocked()
    {
        while (_frames.TryDequeue(out var queued))
        {
            if (!_closed)
            {
                DroppedFrames++;
            }

            queued.Release();
        }

        _queuedBytes = 0;
    }

    private bool TakeWaiterLocked()
    {
        var waiting = _waiting;
        _waiting = false;
        return waiting;
    }
}
