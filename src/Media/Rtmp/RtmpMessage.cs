using Platform.Media.Buffers;

namespace Platform.Media.Rtmp;

/// <summary>
/// A complete RTMP message that owns one reference to its pooled payload. <see cref="Dispose"/> releases
/// that reference; a holder that keeps the payload longer calls <see cref="PooledBuffer.AddRef"/> first.
/// </summary>
public sealed class RtmpMessage : IDisposable
{
    private PooledBuffer? _payload;

    /// <summary>Wraps <paramref name="payload"/>, taking over the caller's reference to it.</summary>
    public RtmpMessage(RtmpMessageHeader header, PooledBuffer payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Header = header;
        _payload = payload;
    }

    public RtmpMessageHeader Header { get; }

    /// <summary>The payload (exactly <see cref="RtmpMessageHeader.Length"/> bytes).</summary>
    public PooledBuffer Payload => _payload ?? throw new ObjectDisposedException(nameof(RtmpMessage));

    /// <summary>Releases this message's reference to its payload. Safe to call more than once.</summary>
    public void Dispose() => Interlocked.Exchange(ref _payload, null)?.Release();
}
