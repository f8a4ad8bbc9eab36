namespace Platform.Media.Rtmp;

/// <summary>Limits applied by <see cref="RtmpChunkReader"/> to what a peer may make it buffer.</summary>
public sealed class RtmpChunkReaderOptions
{
    /// <summary>Largest message payload accepted, in bytes; at most 0xFFFFFF (the 24-bit length field).</summary>
    public int MaxMessageLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>How many distinct chunk stream ids a peer may use on one connection.</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>Largest chunk size a peer may announce with SetChunkSize.</summary>
    public int MaxChunkSize { get; init; } = 0x7FFFFFFF;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMessageLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMessageLength, RtmpChunkProtocol.MaxMessageLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkStreams, 1, nameof(MaxChunkStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkSize, 1, nameof(MaxChunkSize));
    }
}
