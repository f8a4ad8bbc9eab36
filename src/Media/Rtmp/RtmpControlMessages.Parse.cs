using System.Buffers.Binary;

namespace Platform.Media.Rtmp;

public static partial class RtmpControlMessages
{
    /// <summary>
    /// Reads the 32-bit big-endian value that starts the payload of SetChunkSize, Abort, Acknowledgement,
    /// WindowAcknowledgementSize or SetPeerBandwidth (which needs its limit type byte too). Throws
    /// <see cref="MediaFormatException"/> when the payload is too short; trailing bytes are tolerated.
    /// </summary>
    public static uint ReadUInt32Payload(ReadOnlySpan<byte> payload, RtmpMessageType type)
    {
        var expected = type == RtmpMessageType.SetPeerBandwidth ? 5 : 4;
        if (payload.Length < expected)
        {
            RtmpErrors.PayloadTooShort(type.ToString(), payload.Length, expected);
        }

        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    /// <summary>Reads a SetPeerBandwidth payload: the window size and the limit type.</summary>
    public static uint ReadSetPeerBandwidth(ReadOnlySpan<byte> payload, out byte limitType)
    {
        var windowSize = ReadUInt32Payload(payload, RtmpMessageType.SetPeerBandwidth);
        limitType = payload[4];
        return windowSize;
    }

    /// <summary>
    /// Parses a user control event. False (and a default event) for an event type this layer does not
    /// know; <see cref="MediaFormatException"/> when the payload is shorter than its event type needs.
    /// </summary>
    public static bool TryParseUserControl(ReadOnlySpan<byte> payload, out UserControlEvent ev)
    {
        if (payload.Length < 2)
        {
            RtmpErrors.PayloadTooShort("UserControl", payload.Length, 2);
        }

        var type = (UserControlEventType)BinaryPrimitives.ReadUInt16BigEndian(payload);
        int needed;
        switch (type)
        {
            case UserControlEventType.StreamBegin:
            case UserControlEventType.StreamEof:
            case UserControlEventType.StreamDry:
            case UserControlEventType.StreamIsRecorded:
            case UserControlEventType.PingRequest:
            case UserControlEventType.PingResponse:
                needed = 6;
                break;
            case UserControlEventType.SetBufferLength:
                needed = 10;
                break;
            default:
                ev = default;
                return false;
        }

        if (payload.Length < needed)
        {
            RtmpErrors.PayloadTooShort($"UserControl {type}", payload.Length, needed);
        }

        var value2 = needed == 10 ? BinaryPrimitives.ReadUInt32BigEndian(payload[6..]) : 0;
        ev = new UserControlEvent(type, BinaryPrimitives.ReadUInt32BigEndian(payload[2..]), value2);
        return true;
    }
}
