namespace Platform.Media.Rtmp;

/// <summary>Constants of the RTMP chunk stream (RTMP 1.0 specification, section 5.3).</summary>
public static class RtmpChunkProtocol
{
    /// <summary>Chunk size in both directions until a SetChunkSize message changes it.</summary>
    public const int DefaultChunkSize = 128;

    /// <summary>Lowest chunk stream id (0 and 1 select the 2- and 3-byte basic header forms).</summary>
    public const int MinChunkStreamId = 2;

    /// <summary>Highest chunk stream id, reachable with the 3-byte basic header.</summary>
    public const int MaxChunkStreamId = 65599;

    /// <summary>The chunk stream reserved for protocol control messages.</summary>
    public const int ControlChunkStreamId = 2;

    /// <summary>Timestamp field value announcing that a 4-byte extended timestamp follows.</summary>
    public const uint ExtendedTimestampMarker = 0xFFFFFF;

    /// <summary>Largest message length the 3-byte length field can carry.</summary>
    public const int MaxMessageLength = 0xFFFFFF;

    /// <summary>Largest chunk size (the top bit of the SetChunkSize value must be zero).</summary>
    public const int MaxChunkSize = 0x7FFFFFFF;
}
