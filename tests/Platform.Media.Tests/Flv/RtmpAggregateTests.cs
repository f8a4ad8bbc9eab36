using System.Buffers;
using Platform.Media.Flv;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Flv;

public class RtmpAggregateTests
{
    private static byte[] Body(params (FlvTagType Type, uint Timestamp, byte[] Payload)[] messages)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var (type, timestamp, payload) in messages)
        {
            FlvWriter.WriteTag(writer, type, timestamp, payload);
        }

        return writer.WrittenSpan.ToArray();
    }

    private static List<AggregateSubMessage> ReadAll(ReadOnlySequence<byte> body, uint aggregateTimestamp)
    {
        var reader = new SequenceReader<byte>(body);
        uint? first = null;
        var result = new List<AggregateSubMessage>();
        while (RtmpAggregate.TryReadNext(ref reader, aggregateTimestamp, ref first, out var sub))
        {
            result.Add(sub);
        }

        return result;
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public void Sub_messages_are_rebased_on_the_aggregate_timestamp(int segmentSize)
    {
        var body = Body(
            (FlvTagType.Video, 1000, [0x17, 0x01, 0, 0, 0, 0xAA]),
            (FlvTagType.Audio, 1000, [0xAF, 0x01, 0xBB]),
            (FlvTagType.Video, 1040, [0x27, 0x01, 0, 0, 0, 0xCC]),
            (FlvTagType.Script, 1041, [0x05]));
        var subs = ReadAll(Segments.Split(body, segmentSize), 5000);
        Assert.Equal(
            [(FlvTagType.Video, 5000u), (FlvTagType.Audio, 5000u), (FlvTagType.Video, 5040u), (FlvTagType.Script, 5041u)],
            subs.Select(s => (s.Type, s.Timestamp)));
        Assert.Equal([0xAF, 0x01, 0xBB], subs[1].Payload.ToArray());
    }

    [Fact]
    public void Offsets_wrap_like_rtmp_timestamps()
    {
        var body = Body((FlvTagType.Audio, 0xFFFFFFF0, [0xAF]), (FlvTagType.Audio, 0x10, [0xAF]));
        var subs = ReadAll(new ReadOnlySequence<byte>(body), 100);
        Assert.Equal([100u, 132u], subs.Select(s => s.Timestamp));
    }

    [Fact]
    public void Back_pointers_are_not_checked_and_an_empty_body_has_no_messages()
    {
        var body = Body((FlvTagType.Audio, 7, [0xAF, 0x01]));
        body[^1] = 0x55;
        Assert.Equal(7u, Assert.Single(ReadAll(new ReadOnlySequence<byte>(body), 7)).Timestamp);
        Assert.Empty(ReadAll(ReadOnlySequence<byte>.Empty, 7));
    }

    [Theory]
    [InlineData("0800000100", "Aggregate message truncated: 5 bytes left where an 11-byte sub-message header was expected.")]
    [InlineData("08000005000000000000000102", "Aggregate message truncated: sub-message of 5 bytes (+15 framing) but only 13 bytes left.")]
    [InlineData("08000002000000000000000102000000", "Aggregate message truncated: sub-message of 2 bytes (+15 framing) but only 16 bytes left.")]
    [InlineData("c8000000000000000000000000000b", "Aggregate sub-message reserved bits are set (first byte 0xC8).")]
    [InlineData("14000000000000000000000000000b", "Aggregate sub-message type 20 is not audio (8), video (9) or script data (18).")]
    public void Malformed_aggregates(string hex, string message)
    {
        var body = Convert.FromHexString(hex);
        var error = Assert.Throws<MediaFormatException>(() => ReadAll(new ReadOnlySequence<byte>(body), 0));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Truncation_after_a_good_sub_message_is_malformed()
    {
        var body = Body((FlvTagType.Audio, 7, [0xAF, 0x01]), (FlvTagType.Video, 8, [0x17]));
        for (var length = 1; length < body.Length; length++)
        {
            if (length == 17)
            {
                continue; // exactly one whole sub-message
            }

            Assert.Throws<MediaFormatException>(() => ReadAll(new ReadOnlySequence<byte>(body, 0, length), 0));
        }
    }
}
