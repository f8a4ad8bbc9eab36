namespace Platform.Sources.Pull;

/// <summary>
/// What a pull received, readable from any thread while it runs. One instance may serve several runs (a source
/// pulled again after a failure): the counts add up and <see cref="FirstFrameAt"/> stays the first run's.
/// </summary>
public sealed class PullStats
{
    /// <summary>Bytes read from the source (RTMP: handshake and chunks; HTTP-FLV: the body). Updated with <see cref="Interlocked"/>.</summary>
    public long BytesIn;

    /// <summary>Messages handed to the callback. Updated with <see cref="Interlocked"/>.</summary>
    public long Frames;

    private readonly TimeProvider _time;
    private long _firstFrameTicks;

    public PullStats()
        : this(TimeProvider.System)
    {
    }

    public PullStats(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>When the first message was handed to the callback, or null before.</summary>
    public DateTimeOffset? FirstFrameAt =>
        Interlocked.Read(ref _firstFrameTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    internal void CountBytes(long bytes) => Interlocked.Add(ref BytesIn, bytes);

    internal void CountFrame()
    {
        Interlocked.Increment(ref Frames);
        if (Interlocked.Read(ref _firstFrameTicks) == 0)
        {
            Interlocked.CompareExchange(ref _firstFrameTicks, _time.GetUtcNow().UtcTicks, 0);
        }
    }
}
