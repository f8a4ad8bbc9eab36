namespace Platform.Media.Rtmp;

/// <summary>
/// The header of a reassembled RTMP message: the chunk stream it arrived on, its absolute timestamp
/// (32-bit, wrapping), its payload length, type and message stream id.
/// </summary>
public readonly record struct RtmpMessageHeader(
    int ChunkStreamId,
    uint Timestamp,
    int Length,
    RtmpMessageType Type,
    uint MessageStreamId);
