using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Media.Rtmp;

/// <summary>
/// Protocol control messages (types 1, 2, 3, 5, 6) and user control events (type 4), written as complete
/// chunked messages on chunk stream 2, message stream 0, timestamp 0, and parsed from a message payload.
/// </summary>
/// <remarks>
/// Every writer takes the sender's current outgoing chunk size (default 128); these payloads are at most
/// ten bytes so they fit one chunk unless the chunk size is set below that.
/// </remarks>
public static partial class RtmpControlMessages
{
    /// <summary>SetPeerBandwidth limit type: the peer should limit its output to the window size.</summary>
    public const byte LimitTypeHard = 0;

    /// <summary>SetPeerBandwidth limit type: limit to this window or the one in effect, whichever is smaller.</summary>
    public const byte LimitTypeSoft = 1;

    /// <summary>SetPeerBandwidth limit type: hard if the previous limit was hard, otherwise ignored.</summary>
    public const byte LimitTypeDynamic = 2;

    public static void SetChunkSize(IBufferWriter<byte> writer, int chunkSize, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        WriteUInt32Message(writer, RtmpMessageType.SetChunkSize, (uint)chunkSize, outgoingChunkSize);
    }

    public static void Abort(IBufferWriter<byte> writer, int chunkStreamId, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkStreamId, RtmpChunkProtocol.MinChunkStreamId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkStreamId, RtmpChunkProtocol.MaxChunkStreamId);
        WriteUInt32Message(writer, RtmpMessageType.Abort, (uint)chunkStreamId, outgoingChunkSize);
    }

    public static void Acknowledgement(IBufferWriter<byte> writer, uint sequenceNumber, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUInt32Message(writer, RtmpMessageType.Acknowledgement, sequenceNumber, outgoingChunkSize);

    public static void WindowAcknowledgementSize(IBufferWriter<byte> writer, uint windowSize, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUInt32Message(writer, RtmpMessageType.WindowAcknowledgementSize, windowSize, outgoingChunkSize);

    public static void SetPeerBandwidth(IBufferWriter<byte> writer, uint windowSize, byte limitType, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limitType, LimitTypeDynamic);
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, windowSize);
        payload[4] = limitType;
        Write(writer, RtmpMessageType.SetPeerBandwidth, payload, outgoingChunkSize);
    }

    public static void StreamBegin(IBufferWriter<byte> writer, uint streamId, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.StreamBegin, streamId, outgoingChunkSize);

    public static void StreamEof(IBufferWriter<byte> writer, uint streamId, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.StreamEof, streamId, outgoingChunkSize);

    public static void StreamDry(IBufferWriter<byte> writer, uint streamId, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.StreamDry, streamId, outgoingChunkSize);

    public static void SetBufferLength(IBufferWriter<byte> writer, uint streamId, uint milliseconds, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize)
    {
        Span<byte> payload = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)UserControlEventType.SetBufferLength);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[6..], milliseconds);
        Write(writer, RtmpMessageType.UserControl, payload, outgoingChunkSize);
    }

    public static void StreamIsRecorded(IBufferWriter<byte> writer, uint streamId, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.StreamIsRecorded, streamId, outgoingChunkSize);

    public static void PingRequest(IBufferWriter<byte> writer, uint timestamp, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.PingRequest, timestamp, outgoingChunkSize);

    public static void PingResponse(IBufferWriter<byte> writer, uint timestamp, int outgoingChunkSize = RtmpChunkProtocol.DefaultChunkSize) =>
        WriteUserControl(writer, UserControlEventType.PingResponse, timestamp, outgoingChunkSize);

    private static void WriteUInt32Message(IBufferWriter<byte> writer, RtmpMessageType type, uint value, int outgoingChunkSize)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        Write(writer, type, payload, outgoingChunkSize);
    }

    private static void WriteUserControl(IBufferWriter<byte> writer, UserControlEventType type, uint value, int outgoingChunkSize)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
        Write(writer, RtmpMessageType.UserControl, payload, outgoingChunkSize);
    }

    private static void Write(IBufferWriter<byte> writer, RtmpMessageType type, ReadOnlySpan<byte> payload, int outgoingChunkSize) =>
        RtmpChunkWriter.WriteMessage(writer, RtmpChunkProtocol.ControlChunkStreamId, 0, type, 0, payload, outgoingChunkSize);
}
