namespace Platform.Streams.Hub;

/// <summary>Bounds of one reader's queue: what a slow reader may cost before it drops or is cut.</summary>
public sealed record ReaderOptions
{
    /// <summary>Frames queued at most; past it the queue drops to the next keyframe.</summary>
    public int MaxQueuedFrames { get; init; } = 2048;

    /// <summary>Bytes queued at most; past it the queue drops to the next keyframe.</summary>
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>A reader that has taken nothing for this long while frames wait is disconnected.</summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Frames taken per batch (one socket write per batch).</summary>
    public int MaxBatchFrames { get; init; } = 128;

    /// <summary>
    /// Merged writes (SRS's <c>mw_latency</c>): a reader is woken at most once per this interval, so one
    /// socket write carries every frame of the interval. Zero wakes the reader on every video frame.
    /// </summary>
    public TimeSpan WriteCoalesce { get; init; } = TimeSpan.FromMilliseconds(100);
}
