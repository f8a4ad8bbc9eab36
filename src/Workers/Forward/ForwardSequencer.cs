using Platform.Streams.Hub;

namespace Platform.Workers.Forward;

/// <summary>
/// What one connection to a destination sends, frame by frame: metadata and sequence headers always; video
/// from its first keyframe on; audio once the video has started (or at once when no video is known). Timestamps
/// are relative to the first media frame sent (metadata and headers go at the stream's current time, 0 before
/// it), never negative, and never step backwards within a track. Pure; one instance per connection.
/// </summary>
public sealed class ForwardSequencer
{
    private bool _hasVideo;
    private bool _videoStarted;
    private bool _started;
    private bool _hasRaw;
    private uint _lastRaw;
    private long _extended;
    private long _base;
    private long _lastAudio;
    private long _lastVideo;
    private long _lastAny;

    /// <summary>Media frames left out so far (before the first keyframe).</summary>
    public long Dropped { get; private set; }

    /// <summary>True once a video keyframe (or, for a stream without video, audio) was let through.</summary>
    public bool Started => _started;

    /// <summary>Whether to send the frame, and at which timestamp.</summary>
    public bool TryMap(FrameKind kind, uint timestamp, bool isKeyFrame, bool isSequenceHeader, out uint output)
    {
        var extended = Extend(timestamp);
        if (kind == FrameKind.Data || isSequenceHeader)
        {
            _hasVideo |= kind == FrameKind.Video;
            output = unchecked((uint)_lastAny); // the stream's current time (0 before the first frame)
            return true;
        }

        if (kind == FrameKind.Video)
        {
            _hasVideo = true;
            if (!_videoStarted && !isKeyFrame)
            {
                Dropped++;
                output = 0;
                return false;
            }

            _videoStarted = true;
        }
        else if (!_started && _hasVideo)
        {
            // Audio waits for the picture: a player shows nothing until a keyframe anyway.
            Dropped++;
            output = 0;
            return false;
        }

        if (!_started)
        {
            _started = true;
            _base = extended;
        }

        ref var last = ref kind == FrameKind.Video ? ref _lastVideo : ref _lastAudio;
        var relative = Math.Max(Math.Max(0, extended - _base), last);
        last = relative;
        _lastAny = Math.Max(_lastAny, relative);
        output = unchecked((uint)relative);
        return true;
    }

    /// <summary>32-bit timestamps made continuous (wrap-around and small steps back between tracks).</summary>
    private long Extend(uint timestamp)
    {
        if (!_hasRaw)
        {
            _hasRaw = true;
            _extended = timestamp;
        }
        else
        {
            _extended += unchecked((int)(timestamp - _lastRaw));
        }

        _lastRaw = timestamp;
        return _extended;
    }
}
