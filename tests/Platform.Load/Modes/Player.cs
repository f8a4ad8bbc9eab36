using System.Buffers;
using System.Diagnostics;
using Platform.Load.Cli;
using Platform.Media.Codecs;
using Platform.Media.Rtmp;

namespace Platform.Load.Modes;

/// <summary>
/// One player's life and counters: bytes, audio and video frames, key frames, time to the first video
/// frame and key frame (from the start of connect), the drift of wall time against media time, and the
/// first error. Counters are written by the player's own task and read, relaxed, by the reporter.
/// Payloads are looked at (the video tag header) and never kept.
/// </summary>
public abstract class Player
{
    private CancellationTokenSource? _cancel;
    private string? _errorKind;

    protected Player(int index) => Index = index;

    public int Index { get; }

    /// <summary>Logs this player's protocol steps to stderr (rtmpload's <c>-v</c>).</summary>
    public bool Verbose { get; init; }

    public long StartTicks { get; private set; }

    public long FirstVideoTicks { get; private set; }

    public long FirstKeyTicks { get; private set; }

    public long LastReceiveTicks { get; protected set; }

    public long VideoFrames { get; private set; }

    public long AudioFrames { get; private set; }

    public long KeyFrames { get; private set; }

    public bool Connected { get; protected set; }

    public bool Playing { get; protected set; }

    public bool Alive { get; private set; }

    /// <summary>Ended at the end of the run, without error.</summary>
    public bool EndedCleanly { get; private set; }

    public string? ErrorKind => Volatile.Read(ref _errorKind);

    public string? ErrorMessage { get; private set; }

    /// <summary>Bytes received so far.</summary>
    public abstract long Bytes { get; }

    /// <summary>Wall milliseconds minus media milliseconds between the first and the last video frame.</summary>
    public long DriftMs =>
        FirstVideoTicks == 0
            ? 0
            : (long)Stopwatch.GetElapsedTime(FirstVideoTicks, _lastVideoTicks).TotalMilliseconds - (int)(_lastVideoTimestamp - _firstVideoTimestamp);

    private long _lastVideoTicks;
    private uint _firstVideoTimestamp;
    private uint _lastVideoTimestamp;

    public async Task RunAsync(CancellationToken runToken)
    {
        StartTicks = Stopwatch.GetTimestamp();
        Alive = true;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        try
        {
            await PlayAsync(_cancel.Token);
            Fail(ErrorKinds.Eof, "stream ended");
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            EndedCleanly = ErrorKind is null;
        }
        catch (Exception ex)
        {
            Fail(ErrorKinds.Classify(ex, Connected), ex.Message);
        }
        finally
        {
            Trace(ErrorKind is null ? "ended" : $"failed: {ErrorKind} {ErrorMessage}");
            Alive = false;
            Playing = false;
            _cancel.Dispose();
        }
    }

    /// <summary>Records the first error and stops the player (safe from any thread).</summary>
    public void Fail(string kind, string message)
    {
        if (Interlocked.CompareExchange(ref _errorKind, kind, null) is null)
        {
            ErrorMessage = message;
        }

        try
        {
            _cancel?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected void Trace(string message)
    {
        if (Verbose)
        {
            Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(StartTicks).TotalMilliseconds,8:0.0} ms p{Index}] {message}");
        }
    }

    /// <summary>Connects and plays until cancelled; returning means the stream ended.</summary>
    protected abstract Task PlayAsync(CancellationToken cancellationToken);

    /// <summary>Counts one received message; only the first bytes of a video payload are read.</summary>
    protected void OnMedia(RtmpMessageType type, uint timestamp, in ReadOnlySequence<byte> payload)
    {
        if (type == RtmpMessageType.Audio)
        {
            AudioFrames++;
            return;
        }

        if (type != RtmpMessageType.Video)
        {
            return;
        }

        Span<byte> head = stackalloc byte[8];
        var length = (int)Math.Min(payload.Length, head.Length);
        payload.Slice(0, length).CopyTo(head);
        if (!VideoTag.TryParse(head[..length], out var info) || info.IsSequenceHeader || info.IsCommandFrame)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        VideoFrames++;
        if (FirstVideoTicks == 0)
        {
            FirstVideoTicks = now;
            _firstVideoTimestamp = timestamp;
            Trace($"first video frame, timestamp {timestamp}, key frame {info.IsKeyFrame}");
        }

        _lastVideoTicks = now;
        _lastVideoTimestamp = timestamp;
        if (info.IsKeyFrame)
        {
            KeyFrames++;
            if (FirstKeyTicks == 0)
            {
                FirstKeyTicks = now;
            }
        }
    }
}
