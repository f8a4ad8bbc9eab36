using System.Buffers;
using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

/// <summary>Golden bytes from the RTMP 1.0 specification, sections 5.4 and 7.1.7.</summary>
public sealed class RtmpControlMessagesTests
{
    // Every control message: chunk stream 2, fmt 0, timestamp 0, message stream 0.
    private static byte[] Written(Action<ArrayBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Protocol_control_messages()
    {
        Assert.Equal(Hex("02 000000 000004 01 00000000 00001000"), Written(w => RtmpControlMessages.SetChunkSize(w, 4096)));
        Assert.Equal(Hex("02 000000 000004 02 00000000 00000005"), Written(w => RtmpControlMessages.Abort(w, 5)));
        Assert.Equal(Hex("02 000000 000004 03 00000000 01020304"), Written(w => RtmpControlMessages.Acknowledgement(w, 0x01020304)));
        Assert.Equal(Hex("02 000000 000004 05 00000000 002625A0"), Written(w => RtmpControlMessages.WindowAcknowledgementSize(w, 2_500_000)));
        Assert.Equal(Hex("02 000000 000005 06 00000000 002625A0 02"), Written(w => RtmpControlMessages.SetPeerBandwidth(w, 2_500_000, 2)));
    }

    [Fact]
    public void User_control_events()
    {
        Assert.Equal(Hex("02 000000 000006 04 00000000 0000 00000001"), Written(w => RtmpControlMessages.StreamBegin(w, 1)));
        Assert.Equal(Hex("02 000000 000006 04 00000000 0001 00000001"), Written(w => RtmpControlMessages.StreamEof(w, 1)));
        Assert.Equal(Hex("02 000000 000006 04 00000000 0002 00000002"), Written(w => RtmpControlMessages.StreamDry(w, 2)));
        Assert.Equal(Hex("02 000000 00000A 04 00000000 0003 00000001 00000BB8"), Written(w => RtmpControlMessages.SetBufferLength(w, 1, 3000)));
        Assert.Equal(Hex("02 000000 000006 04 00000000 0004 00000001"), Written(w => RtmpControlMessages.StreamIsRecorded(w, 1)));
        Assert.Equal(Hex("02 000000 000006 04 00000000 0006 11223344"), Written(w => RtmpControlMessages.PingRequest(w, 0x11223344)));
        Assert.Equal(Hex("02 000000 000006 04 00000000 0007 11223344"), Written(w => RtmpControlMessages.PingResponse(w, 0x11223344)));
    }

    [Fact]
    public void Control_messages_honour_a_small_outgoing_chunk_size()
    {
        Assert.Equal(
            Hex("02 000000 000006 04 00000000 0000 0000 C2 0001"),
            Written(w => RtmpControlMessages.StreamBegin(w, 1, outgoingChunkSize: 4)));
    }

    [Fact]
    public void Writers_reject_out_of_range_arguments()
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpControlMessages.SetChunkSize(writer, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpControlMessages.Abort(writer, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpControlMessages.SetPeerBandwidth(writer, 1, 3));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Written_control_messages_read_back()
    {
        var bytes = Written(w =>
        {
            RtmpControlMessages.WindowAcknowledgementSize(w, 2_500_000);
            RtmpControlMessages.SetPeerBandwidth(w, 5_000_000, RtmpControlMessages.LimitTypeDynamic);
            RtmpControlMessages.SetBufferLength(w, 7, 1500);
            RtmpControlMessages.PingRequest(w, 99);
        });

        var messages = ReadAll(bytes);

        Assert.Equal(4, messages.Count);
        Assert.All(messages, m => Assert.Equal(2, m.Header.ChunkStreamId));
        Assert.All(messages, m => Assert.Equal(0u, m.Header.MessageStreamId));
        Assert.Equal(2_500_000u, RtmpControlMessages.ReadUInt32Payload(messages[0].Payload, RtmpMessageType.WindowAcknowledgementSize));
        Assert.Equal(5_000_000u, RtmpControlMessages.ReadSetPeerBandwidth(messages[1].Payload, out var limitType));
        Assert.Equal(RtmpControlMessages.LimitTypeDynamic, limitType);
        Assert.True(RtmpControlMessages.TryParseUserControl(messages[2].Payload, out var bufferLength));
        Assert.Equal(new UserControlEvent(UserControlEventType.SetBufferLength, 7, 1500), bufferLength);
        Assert.True(RtmpControlMessages.TryParseUserControl(messages[3].Payload, out var ping));
        Assert.Equal(new UserControlEvent(UserControlEventType.PingRequest, 99, 0), ping);
    }

    [Theory]
    [InlineData("0000 00000001", UserControlEventType.StreamBegin, 1u, 0u)]
    [InlineData("0001 00000002", UserControlEventType.StreamEof, 2u, 0u)]
    [InlineData("0002 00000003", UserControlEventType.StreamDry, 3u, 0u)]
    [InlineData("0003 00000001 00000BB8", UserControlEventType.SetBufferLength, 1u, 3000u)]
    [InlineData("0004 00000001", UserControlEventType.StreamIsRecorded, 1u, 0u)]
    [InlineData("0006 FFFFFFFF", UserControlEventType.PingRequest, 0xFFFFFFFFu, 0u)]
    [InlineData("0007 00000010 AABB", UserControlEventType.PingResponse, 16u, 0u)]
    public void Parses_user_control_events(string payload, UserControlEventType type, uint value, uint value2)
    {
        Assert.True(RtmpControlMessages.TryParseUserControl(Hex(payload), out var ev));
        Assert.Equal(new UserControlEvent(type, value, value2), ev);
    }

    [Theory]
    [InlineData("0005 00000001")]
    [InlineData("001F 00000001")]
    [InlineData("0020")]
    public void Unknown_user_control_events_are_not_parsed(string payload)
    {
        Assert.False(RtmpControlMessages.TryParseUserControl(Hex(payload), out var ev));
        Assert.Equal(default, ev);
    }

    [Theory]
    [InlineData("", "UserControl payload is 0 bytes, expected at least 2")]
    [InlineData("00", "UserControl payload is 1 bytes, expected at least 2")]
    [InlineData("0000 0000", "UserControl StreamBegin payload is 4 bytes, expected at least 6")]
    [InlineData("0003 00000001", "UserControl SetBufferLength payload is 6 bytes, expected at least 10")]
    [InlineData("0006 000000", "UserControl PingRequest payload is 5 bytes, expected at least 6")]
    public void Short_user_control_payloads_are_malformed(string payload, string message)
    {
        var ex = Assert.Throws<MediaFormatException>(() => RtmpControlMessages.TryParseUserControl(Hex(payload), out _));
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("000010", RtmpMessageType.SetChunkSize, "SetChunkSize payload is 3 bytes, expected at least 4")]
    [InlineData("", RtmpMessageType.Abort, "Abort payload is 0 bytes, expected at least 4")]
    [InlineData("0102", RtmpMessageType.Acknowledgement, "Acknowledgement payload is 2 bytes, expected at least 4")]
    [InlineData("010203", RtmpMessageType.WindowAcknowledgementSize, "WindowAcknowledgementSize payload is 3 bytes, expected at least 4")]
    [InlineData("01020304", RtmpMessageType.SetPeerBandwidth, "SetPeerBandwidth payload is 4 bytes, expected at least 5")]
    public void Short_protocol_control_payloads_are_malformed(string payload, RtmpMessageType type, string message)
    {
        var ex = Assert.Throws<MediaFormatException>(() => RtmpControlMessages.ReadUInt32Payload(Hex(payload), type));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Reads_big_endian_values_and_tolerates_trailing_bytes()
    {
        Assert.Equal(0x01020304u, RtmpControlMessages.ReadUInt32Payload(Hex("01020304"), RtmpMessageType.Acknowledgement));
        Assert.Equal(0x80000000u, RtmpControlMessages.ReadUInt32Payload(Hex("80000000 00"), RtmpMessageType.WindowAcknowledgementSize));
    }
}
