using System.Buffers;
using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

public sealed class RtmpChunkReaderExtendedTimestampTests
{
    [Fact]
    public void Extended_timestamp_repeated_on_continuation_chunks()
    {
        var payload = Pattern(300, 0x80);

        var message = Assert.Single(ReadAll(Chunked(4, 0x01020304, RtmpMessageType.Video, 1, payload)));

        AssertMessage(message, 4, 0x01020304, RtmpMessageType.Video, 1, payload);
    }

    [Fact]
    public void Extended_timestamp_omitted_on_continuation_chunks_is_tolerated()
    {
        var payload = Pattern(300, 0x80);
        var input = Concat(
            Hex("04 FFFFFF 00012C 09 01000000 01020304"), payload[..128],
            Hex("C4"), payload[128..256], // omitted
            Hex("C4 01020304"), payload[256..]); // present again

        var message = Assert.Single(ReadAll(input));

        AssertMessage(message, 4, 0x01020304, RtmpMessageType.Video, 1, payload);
    }

    [Fact]
    public void Waits_while_the_bytes_after_a_continuation_header_only_match_a_prefix_of_the_extended_timestamp()
    {
        var payload = Concat(Pattern(128), Hex("0102 0305"));
        var first = Concat(Hex("04 FFFFFF 000084 09 01000000 01020304"), payload[..128]);
        using var chunkReader = new RtmpChunkReader();

        Assert.Empty(ReadAll(chunkReader, Concat(first, Hex("C4 0102")), out var consumed));
        Assert.Equal(first.Length, consumed);

        var message = Assert.Single(ReadAll(chunkReader, Concat(Hex("C4"), payload[128..]), out consumed));
        Assert.Equal(5, consumed);
        AssertMessage(message, 4, 0x01020304, RtmpMessageType.Video, 1, payload);
    }

    [Fact]
    public void Fmt3_starting_a_new_message_requires_the_extended_timestamp()
    {
        // After a fmt 0 header the timestamp field counts as the delta for a following fmt 3 message
        // (as FFmpeg, librtmp and SRS read it); here that delta is the extended value 0x01000000.
        var first = Hex("04 FFFFFF 000002 08 01000000 01000000 0102");
        using var chunkReader = new RtmpChunkReader();

        Assert.Single(ReadAll(chunkReader, Concat(first, Hex("C4 0100")), out var consumed));
        Assert.Equal(first.Length, consumed);

        var message = Assert.Single(ReadAll(chunkReader, Hex("C4 01000000 0304"), out _));
        AssertMessage(message, 4, 0x02000000, RtmpMessageType.Audio, 1, Hex("0304"));
    }

    [Fact]
    public void Extended_delta_on_fmt1_and_fmt2()
    {
        var input = Concat(
            Hex("03 000010 000001 08 01000000 00"),
            Hex("43 FFFFFF 000001 09 01000000 01"), // fmt 1, extended delta 0x01000000
            Hex("83 FFFFFF 00000002 02"), // fmt 2, extended delta 2
            Hex("C3 00000002 03")); // fmt 3 new message repeats the extended delta

        var messages = ReadAll(input);

        uint[] expected = [0x10, 0x01000010, 0x01000012, 0x01000014];
        Assert.Equal(expected, messages.Select(m => m.Header.Timestamp));
        Assert.Equal(RtmpMessageType.Video, messages[3].Header.Type);
    }

    [Fact]
    public void Single_chunk_message_with_extended_timestamp_needs_all_four_bytes()
    {
        var input = Hex("03 FFFFFF 000001 08 01000000 AABBCCDD 01");
        using var chunkReader = new RtmpChunkReader();
        for (var length = 0; length < input.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input, 0, length));
            Assert.False(chunkReader.TryReadMessage(ref reader, out _));
            Assert.Equal(0, reader.Consumed);
        }

        var message = Assert.Single(ReadAll(input));
        Assert.Equal(0xAABBCCDDu, message.Header.Timestamp);
    }
}
