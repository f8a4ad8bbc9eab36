using System.Buffers;
using System.Diagnostics;
using Platform.Media.Buffers;
using Platform.Media.Flv;
using Platform.Streams.Hub;
using Platform.Streams.Security;

namespace Platform.Sources.Pull;

/// <summary>
/// One pull's bookkeeping, whatever the protocol: hands messages to the callback and counts them, knows whether
/// media flowed, and bounds each read by the stall timeout (measured from the last audio or video message, or
/// from <see cref="Start"/>), turning a silence into <see cref="SourceNotFoundException"/> or
/// <see cref="SourceStalledException"/>.
/// </summary>
internal sealed class PullSession : IDisposable
{
    private readonly PulledFrame _onFrame;
    private readonly PullStats _stats;
    private readonly TimeSpan _stallTimeout;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _stall;
    private long _lastMedia;

    public PullSession(Uri url, PulledFrame onFrame, PullOptions options, PullStats stats, CancellationToken cancellationToken)
    {
        Source = LogText.Redacted(url.OriginalString);
        _onFrame = onFrame;
        _stats = stats;
        _stallTimeout = options.StallTimeout;
        _cancellationToken = cancellationToken;
        _stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _lastMedia = Stopwatch.GetTimestamp();
    }

    /// <summary>The source's URL for messages (credentials redacted).</summary>
    public string Source { get; }

    /// <summary>True once an audio or video message was handed on.</summary>
    public bool MediaFlowed { get; private set; }

    /// <summary>The stall clock starts (the connection is up and the stream asked for).</summary>
    public void Start() => _lastMedia = Stopwatch.GetTimestamp();

    /// <summary>The token for the next read: cancelled with the caller's, or when the stall timeout passes.</summary>
    public CancellationToken ReadToken()
    {
        var remaining = _stallTimeout - Stopwatch.GetElapsedTime(_lastMedia);
        if (remaining <= TimeSpan.Zero)
        {
            throw StallError();
        }

        _stall.CancelAfter(remaining);
        return _stall.Token;
    }

    /// <summary>True when a read ended because of the stall timeout, not because the caller cancelled.</summary>
    public bool Stalled => _stall.IsCancellationRequested && !_cancellationToken.IsCancellationRequested;

    /// <summary>What a silence of the stall timeout means: the stream is not there (no media yet), or it froze.</summary>
    public Exception StallError() => MediaFlowed
        ? new SourceStalledException($"{Source}: no audio or video for {_stallTimeout.TotalSeconds:0.#} s")
        : new SourceNotFoundException($"{Source}: no audio or video within {_stallTimeout.TotalSeconds:0.#} s (not published?)");

    /// <summary>The remote ended the stream (<paramref name="how"/>): fine after media; before any, the stream was not there.</summary>
    public void Ended(string how)
    {
        if (!MediaFlowed)
        {
            throw new SourceNotFoundException($"{Source}: {how} before any audio or video");
        }
    }

    public void Received(long bytes) => _stats.CountBytes(bytes);

    /// <summary>Hands one message on; <paramref name="payload"/>'s reference goes with it.</summary>
    public void Deliver(FrameKind kind, uint timestamp, PooledBuffer payload)
    {
        if (kind != FrameKind.Data)
        {
            MediaFlowed = true;
            _lastMedia = Stopwatch.GetTimestamp();
        }

        _stats.CountFrame();
        _onFrame(kind, timestamp, payload);
    }

    /// <summary>
    /// Hands on the <c>onMetaData</c> in a data message or script tag (<paramref name="payload"/> from
    /// <paramref name="start"/>, past an AMF3 envelope byte), dropping <c>@setDataFrame</c>; other data is dropped.
    /// Takes <paramref name="payload"/>'s reference.
    /// </summary>
    public void DeliverMetadata(uint timestamp, PooledBuffer payload, int start = 0)
    {
        var offset = ScriptData.MetadataOffset(payload.ReadOnlySpan[start..]);
        if (offset < 0)
        {
            payload.Release();
            return;
        }

        if (start + offset > 0)
        {
            var body = PooledBuffer.CopyOf(payload.ReadOnlySpan[(start + offset)..]);
            payload.Release();
            payload = body;
        }

        Deliver(FrameKind.Data, timestamp, payload);
    }

    /// <summary>Hands on one FLV tag's body (HTTP-FLV, or a sub-message of an RTMP aggregate), copied; empty ones are skipped.</summary>
    public void DeliverTag(FlvTagType type, uint timestamp, in ReadOnlySequence<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (type == FlvTagType.Script)
        {
            DeliverMetadata(timestamp, PooledBuffer.CopyOf(data));
        }
        else
        {
            Deliver((FrameKind)type, timestamp, PooledBuffer.CopyOf(data));
        }
    }

    public void Dispose() => _stall.Dispose();
}
