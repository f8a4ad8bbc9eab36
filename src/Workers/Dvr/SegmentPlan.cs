using Platform.Streams.Hub;

namespace Platform.Workers.Dvr;

/// <summary>
/// Decides, frame by frame, when the current recording file is closed and the next one opened. With
/// <see cref="DvrPlan.Session"/> never (one file per publish). With <see cref="DvrPlan.Segment"/>, once the
/// segment has lasted <see cref="SegmentDuration"/>: at the next video keyframe when the stream has video,
/// at the next audio frame when it has none. A segment starts at the first frame a file can start with (a
/// video keyframe, or any audio frame while no video was seen). Pure state, not thread-safe.
/// </summary>
public sealed class SegmentPlan
{
    private readonly uint _durationMs;
    private bool _hasVideo;
    private bool _started;
    private uint _segmentStart;

    /// <param name="plan">Session or segment.</param>
    /// <param name="segmentDuration">Length of a segment (segment plan only); at least 1 ms.</param>
    /// <param name="hasVideo">True if the stream is known to carry video (cuts then wait for keyframes).</param>
    public SegmentPlan(DvrPlan plan, TimeSpan segmentDuration, bool hasVideo = false)
    {
        if (plan == DvrPlan.Segment)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(segmentDuration, TimeSpan.FromMilliseconds(1));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentDuration, TimeSpan.FromMilliseconds(int.MaxValue));
        }

        Plan = plan;
        SegmentDuration = segmentDuration;
        _durationMs = plan == DvrPlan.Segment ? (uint)segmentDuration.TotalMilliseconds : 0;
        _hasVideo = hasVideo;
    }

    public DvrPlan Plan { get; }

    public TimeSpan SegmentDuration { get; }

    /// <summary>True once a video frame was seen (or video was declared).</summary>
    public bool HasVideo => _hasVideo;

    /// <summary>
    /// Whether the current file must be closed and a new one opened with this frame as its first. Call it
    /// for every frame, in order, before writing the frame. Data frames and sequence headers never cut.
    /// </summary>
    public bool ShouldCut(FrameKind kind, uint timestamp, bool isKeyFrame, bool isSequenceHeader = false)
    {
        if (kind == FrameKind.Video)
        {
            _hasVideo = true;
        }

        if (kind == FrameKind.Data || isSequenceHeader)
        {
            return false;
        }

        var canStart = _hasVideo ? kind == FrameKind.Video && isKeyFrame : kind == FrameKind.Audio;
        if (!canStart)
        {
            return false;
        }

        if (!_started)
        {
            _started = true;
            _segmentStart = timestamp;
            return false;
        }

        if (Plan != DvrPlan.Segment || Elapsed(timestamp) < _durationMs)
        {
            return false;
        }

        _segmentStart = timestamp;
        return true;
    }

    /// <summary>Forgets the current segment (a new publish starts over).</summary>
    public void Reset()
    {
        _started = false;
        _segmentStart = 0;
    }

    /// <summary>Milliseconds since the segment start, modulo 2^32 like RTMP time; a step back counts as 0.</summary>
    private uint Elapsed(uint timestamp)
    {
        var elapsed = unchecked(timestamp - _segmentStart);
        return elapsed > int.MaxValue ? 0 : elapsed;
    }
}
