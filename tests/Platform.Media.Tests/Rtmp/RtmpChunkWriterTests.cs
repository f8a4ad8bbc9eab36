using System.Buffers;
using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

/// <summary>Golden bytes written by hand from the RTMP 1.0 specification, section 5.3.</summary>
public sealed class RtmpChunkWriterTests
{
    [Fact]
    public void Fmt0_header_is_basic_header_timestamp_length_type_and_little_endian_stream_id()
    {
        var bytes = Chunked(3, 1000, RtmpMessageType.Audio, 1, [0xAA, 0xBB]);

        Assert.Equal(Hex("03 0003E8 000002 08 01000000 AABB"), bytes);
    }

    [Theory]
    [InlineData(3, "03", "C3")]
    [InlineData(63, "3F", "FF")]
    [InlineData(64, "00 00", "C0 00")]
    [InlineData(319, "00 FF", "C0 FF")]
    [InlineData(320, "01 00 01", "C1 00 01")]
    [InlineData(65599, "01 FF FF", "C1 FF FF")]
    public void Basic_header_uses_the_one_two_or_three_byte_form(int chunkStreamId, string fmt0Basic, string fmt3Basic)
    {
        var bytes = Chunked(chunkStreamId, 0, RtmpMessageType.DataAmf0, 0, [0x7F, 0x80], chunkSize: 1);

        Assert.Equal(Hex(fmt0Basic + " 000000 000002 12 00000000 7F" + fmt3Basic + "80"), bytes);
        Assert.Equal(bytes.Length, RtmpChunkWriter.GetChunkedLength(chunkStreamId, 0, 2, 1));
    }

    [Fact]
    public void Message_of_300_bytes_at_chunk_size_128_is_three_chunks_with_fmt3_continuations()
    {
        var payload = Pattern(300);

        var bytes = Chunked(3, 0, RtmpMessageType.Video, 1, payload);

        var expected = Concat(
            Hex("03 000000 00012C 09 01000000"), payload[..128],
            Hex("C3"), payload[128..256],
            Hex("C3"), payload[256..]);
        Assert.Equal(expected, bytes);
        Assert.Equal(314, RtmpChunkWriter.GetChunkedLength(3, 0, 300, 128));
    }

    [Fact]
    public void Extended_timestamp_follows_fmt0_header_and_is_repeated_on_each_fmt3_chunk()
    {
        var payload = Pattern(300, 7);

        var bytes = Chunked(4, 0x01020304, RtmpMessageType.Video, 1, payload);

        var expected = Concat(
            Hex("04 FFFFFF 00012C 09 01000000 01020304"), payload[..128],
            Hex("C4 01020304"), payload[128..256],
            Hex("C4 01020304"), payload[256..]);
        Assert.Equal(expected, bytes);
        Assert.Equal(expected.Length, RtmpChunkWriter.GetChunkedLength(4, 0x01020304, 300, 128));
    }

    [Theory]
    [InlineData(0xFFFFFEu, "04 FFFFFE 000001 08 01000000 55")]
    [InlineData(0xFFFFFFu, "04 FFFFFF 000001 08 01000000 00FFFFFF 55")]
    [InlineData(0xFFFFFFFFu, "04 FFFFFF 000001 08 01000000 FFFFFFFF 55")]
    public void Extended_timestamp_starts_at_0xFFFFFF(uint timestamp, string expected)
    {
        Assert.Equal(Hex(expected), Chunked(4, timestamp, RtmpMessageType.Audio, 1, [0x55]));
    }

    [Fact]
    public void Empty_payload_is_a_lone_fmt0_header()
    {
        Assert.Equal(Hex("03 000010 000000 12 02000000"), Chunked(3, 16, RtmpMessageType.DataAmf0, 2, []));
        Assert.Equal(12, RtmpChunkWriter.GetChunkedLength(3, 16, 0, 128));
    }

    [Fact]
    public void Buffer_writer_overload_writes_the_same_bytes()
    {
        var payload = Pattern(1000);
        var writer = new ArrayBufferWriter<byte>();

        RtmpChunkWriter.WriteMessage(writer, 70, 0x12345678, RtmpMessageType.Video, 5, payload, 256);

        Assert.Equal(Chunked(70, 0x12345678, RtmpMessageType.Video, 5, payload, 256), writer.WrittenSpan.ToArray());
        Assert.Equal(writer.WrittenCount, RtmpChunkWriter.GetChunkedLength(70, 0x12345678, 1000, 256));
    }

    [Fact]
    public void Chunk_rents_an_exactly_sized_buffer()
    {
        var buffer = RtmpChunkWriter.Chunk(3, 0, RtmpMessageType.Audio, 1, Pattern(129), 128);

        Assert.Equal(RtmpChunkWriter.GetChunkedLength(3, 0, 129, 128), buffer.Length);
        Assert.Equal(1, buffer.RefCount);
        buffer.Release();
        Assert.Equal(0, buffer.RefCount);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpChunkWriter.GetChunkedLength(1, 0, 1, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpChunkWriter.GetChunkedLength(65600, 0, 1, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpChunkWriter.GetChunkedLength(3, 0, 0x1000000, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtmpChunkWriter.GetChunkedLength(3, 0, 1, 0));
        Assert.Throws<ArgumentException>(() =>
            RtmpChunkWriter.WriteMessage(new byte[12], 3, 0, RtmpMessageType.Audio, 1, [1], 128));
    }
}
