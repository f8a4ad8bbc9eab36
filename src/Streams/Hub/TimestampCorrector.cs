namespace Platform.Streams.Hub;

/// <summary>
/// Turns a publisher's timestamps into the stream's output timestamps. Pure and single-threaded (the hub
/// calls it under its lock). Handles what encoders and RTSP cameras relayed through ffmpeg really send:
/// non-zero starts, gaps, backward steps, audio and video based far apart, and 32-bit wrap-around. A new
/// publish continues the output timeline where the previous one ended, so connected players keep going.
/// </summary>
public sealed class TimestampCorrector
{
    /// <summary>A step larger than this (or negative) is treated as a discontinuity in <see cref="JitterMode.Full"/>.</summary>
    public const int MaxJitterMs = 1000;

    /// <summary>The step used across a discontinuity when a track has no good step yet.</summary>
    public const int DefaultFrameMs = 10;

    private readonly JitterMode _mode;
    private Track _audio;
    private Track _video;
    private bool _hasBase;
    private uint _inputBase;
    private long _outputBase;
    private long _lastOutput;
    private bool _anyOutput;

    public TimestampCorrector(JitterMode mode) => _mode = mode;

    public JitterMode Mode => _mode;

    /// <summary>The largest timestamp handed out so far.</summary>
    public long LastOutput => _lastOutput;

    /// <summary>
    /// A new publisher: its timestamps start a new input timeline one frame after the current output (the
    /// video's frame duration, so a player that counts in frames never sees two frames at the same time).
    /// </summary>
    public void Restart()
    {
        var step = _video.Started ? _video.LastDelta : _audio.Started ? _audio.LastDelta : DefaultFrameMs;
        _audio = default;
        _video = default;
        _hasBase = false;
        _outputBase = _anyOutput ? _lastOutput + Math.Max(DefaultFrameMs, step) : 0;
    }

    /// <summary>Corrects one timestamp; returns the output timestamp (32-bit, as RTMP and FLV carry it).</summary>
    public uint Correct(FrameKind kind, uint timestamp)
    {
        if (_mode == JitterMode.Off)
        {
            return timestamp;
        }

        if (kind == FrameKind.Data)
        {
            // Metadata takes the current position of the stream.
            return (uint)_lastOutput;
        }

        if (!_hasBase)
        {
            _hasBase = true;
            _inputBase = timestamp;
        }

        ref var track = ref kind == FrameKind.Audio ? ref _audio : ref _video;
        long output;
        if (!track.Started)
        {
            var offset = (long)(int)(timestamp - _inputBase);
            if (_mode == JitterMode.Full && (offset < 0 || offset > MaxJitterMs))
            {
                // This track is based far from the other one: align it to where the stream is now.
                output = Math.Max(_outputBase, _lastOutput);
            }
            else
            {
                output = _outputBase + Math.Max(0, offset);
            }

            track.Started = true;
            track.LastDelta = DefaultFrameMs;
        }
        else
        {
            var delta = (long)(int)(timestamp - track.LastInput);
            if (_mode == JitterMode.Full)
            {
                if (delta < 0 || delta > MaxJitterMs)
                {
                    delta = track.LastDelta;
                }
                else if (delta > 0)
                {
                    track.LastDelta = (int)delta;
                }
            }
            else if (delta < 0)
            {
                delta = 0;
            }

            output = track.LastOutput + delta;
        }

        track.LastInput = timestamp;
        track.LastOutput = output;
        _anyOutput = true;
        if (output > _lastOutput)
        {
            _lastOutput = output;
        }

        return (uint)output;
    }

    private struct Track
    {
        public bool Started;
        public uint LastInput;
        public long LastOutput;
        public int LastDelta;
    }
}
