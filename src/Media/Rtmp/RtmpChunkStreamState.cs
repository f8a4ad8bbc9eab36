using Platform.Media.Buffers;

namespace Platform.Media.Rtmp;

/// <summary>
/// What a reader remembers about one chunk stream: the last message header (the base for fmt 1/2/3
/// chunks) and the message being assembled, if any.
/// </summary>
internal sealed class RtmpChunkStreamState
{
    public RtmpChunkStreamState(int chunkStreamId)
    {
        ChunkStreamId = chunkStreamId;
    }

    public int ChunkStreamId { get; }

    public uint Timestamp;

    /// <summary>The timestamp field of the last header (a delta, or the absolute value of fmt 0): what a
    /// fmt 3 chunk that starts a new message adds.</summary>
    public uint TimestampDelta;

    public int Length;

    public RtmpMessageType Type;

    public uint MessageStreamId;

    /// <summary>Whether the last header carried an extended timestamp (then equal to
    /// <see cref="TimestampDelta"/>), which fmt 3 chunks repeat.</summary>
    public bool HasExtendedTimestamp;

    /// <summary>The payload being assembled, rented at the declared length; null between messages.</summary>
    public PooledBuffer? Partial;

    public int Received;

    public void DropPartial()
    {
        Partial?.Release();
        Partial = null;
        Received = 0;
    }
}
