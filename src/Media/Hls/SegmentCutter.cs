namespace Platform.Media.Hls;

/// <summary>What a frame means for segmentation.</summary>
public enum CutDecision
{
    /// <summary>Before the first segment: drop the frame.</summary>
    Skip,

    /// <summary>The frame belongs to the current segment.</summary>
    Continue,

    /// <summary>The frame opens a new segment (close the current one, if any, before writing it).</summary>
    Cut,
}

/// <summary>
/// Decides where a live stream is cut into segments, from frames offered in stream order. Segments of a
/// stream with video open on a video keyframe; audio-only streams open on any audio frame. Timestamps are
/// milliseconds, monotonic (extend 32-bit RTMP timestamps before offering them).
/// <para>
/// Normal mode: the first segment opens on the first eligible frame; a new one opens on the first eligible
/// frame at least the target duration after the current segment's first frame. Sequence numbers count up
/// from the first one given.
/// </para>
/// <para>
/// Deterministic mode: boundaries depend on the timestamps alone. With T the target duration and
/// interval(t) = floor(t / T), a segment opens on the first eligible frame whose interval is above the
/// current segment's, i.e. the first keyframe that crosses the next multiple of T; its sequence number is
/// interval(t) of that first frame. Two cutters fed the same timestamped stream from different points
/// therefore agree on every segment they both produce. To make that hold for its first segment too, a
/// cutter opens its first segment only on a frame it can prove is such a boundary: one whose timestamp is
/// an exact multiple of T (a stream starting at 0), or one whose interval is above that of the first
/// eligible frame it saw (no earlier keyframe of that interval can have escaped it). Frames before are
/// skipped, so a cutter joining mid-stream waits for the next boundary. Sequence numbers skip when a whole
/// interval passes without an eligible frame: choose T at least the keyframe interval.
/// </para>
/// </summary>
public sealed class SegmentCutter
{
    private bool _sawEligible;
    private long _firstSeenInterval;

    public SegmentCutter(long targetDurationMs, bool hasVideo, bool deterministic = false, long firstSequence = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetDurationMs, 1);
        TargetDurationMs = targetDurationMs;
        HasVideo = hasVideo;
        Deterministic = deterministic;
        Sequence = firstSequence - 1;
    }

    public long TargetDurationMs { get; }

    public bool HasVideo { get; }

    public bool Deterministic { get; }

    /// <summary>True once the first segment has opened.</summary>
    public bool HasSegment { get; private set; }

    /// <summary>The current segment's sequence number (meaningful once <see cref="HasSegment"/>).</summary>
    public long Sequence { get; private set; }

    /// <summary>The timestamp of the current segment's first frame.</summary>
    public long SegmentStartMs { get; private set; }

    /// <summary>Offers the next frame; says whether it is skipped, continues the segment or opens a new one.</summary>
    public CutDecision Offer(bool isVideo, bool isKeyFrame, long timestampMs)
    {
        var eligibleTrack = HasVideo == isVideo;
        var canOpen = eligibleTrack && (isKeyFrame || !HasVideo);
        if (!HasSegment)
        {
            return TryOpenFirst(eligibleTrack, canOpen, timestampMs) ? CutDecision.Cut : CutDecision.Skip;
        }

        if (canOpen)
        {
            if (Deterministic)
            {
                var interval = Interval(timestampMs);
                if (interval > Sequence)
                {
                    Open(interval, timestampMs);
                    return CutDecision.Cut;
                }
            }
            else if (timestampMs - SegmentStartMs >= TargetDurationMs)
            {
                Open(Sequence + 1, timestampMs);
                return CutDecision.Cut;
            }
        }

        return CutDecision.Continue;
    }

    /// <summary>floor(<paramref name="timestampMs"/> / T), also for negative timestamps.</summary>
    public long Interval(long timestampMs)
    {
        var quotient = Math.DivRem(timestampMs, TargetDurationMs, out var remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private bool TryOpenFirst(bool eligibleTrack, bool canOpen, long timestampMs)
    {
        if (!eligibleTrack)
        {
            return false;
        }

        if (!Deterministic)
        {
            if (canOpen)
            {
                Open(Sequence + 1, timestampMs);
            }

            return canOpen;
        }

        var interval = Interval(timestampMs);
        if (!_sawEligible)
        {
            _sawEligible = true;
            _firstSeenInterval = interval;
        }

        var provenBoundary = interval * TargetDurationMs == timestampMs || interval > _firstSeenInterval;
        if (!canOpen || !provenBoundary)
        {
            return false;
        }

        Open(interval, timestampMs);
        return true;
    }

    private void Open(long sequence, long timestampMs)
    {
        HasSegment = true;
        Sequence = sequence;
        SegmentStartMs = timestampMs;
    }
}
