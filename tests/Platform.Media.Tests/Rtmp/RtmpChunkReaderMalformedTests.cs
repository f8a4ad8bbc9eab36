using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

public sealed class RtmpChunkReaderMalformedTests
{
    private static MediaFormatException Fails(byte[] input, RtmpChunkReaderOptions? options = null)
    {
        using var chunkReader = new RtmpChunkReader(options ?? new RtmpChunkReaderOptions());
        return Assert.Throws<MediaFormatException>(() => ReadAll(chunkReader, input, out _));
    }

    [Fact]
    public void Oversize_length_is_rejected_from_the_header_alone_before_any_payload_arrives()
    {
        Assert.Equal(
            "message length 16777215 on chunk stream 3 exceeds the limit of 8388608 bytes",
            Fails(Hex("03 000000 FFFFFF 09 01000000")).Message);
        Assert.Equal(
            "message length 1001 on chunk stream 7 exceeds the limit of 1000 bytes",
            Fails(Hex("07 000000 0003E9 09 01000000"), new RtmpChunkReaderOptions { MaxMessageLength = 1000 }).Message);
    }

    [Fact]
    public void Oversize_length_in_a_fmt1_header_is_rejected()
    {
        var input = Concat(Hex("03 000000 000001 09 01000000 00"), Hex("43 000000 800001 09"));

        Assert.Equal("message length 8388609 on chunk stream 3 exceeds the limit of 8388608 bytes", Fails(input).Message);
    }

    [Fact]
    public void Too_many_chunk_streams()
    {
        var options = new RtmpChunkReaderOptions { MaxChunkStreams = 2 };
        var input = Hex("03 000000 000001 09 01000000 00  04 000000 000001 09 01000000 00  05 000000");

        Assert.Equal("chunk stream 5 exceeds the limit of 2 chunk streams", Fails(input, options).Message);
    }

    [Fact]
    public void Sixty_fifth_chunk_stream_is_rejected_by_default()
    {
        var input = new List<byte>();
        for (var csid = 2; csid <= 66; csid++)
        {
            input.AddRange(Chunked(csid, 0, RtmpMessageType.Audio, 1, [1]));
        }

        Assert.Equal("chunk stream 66 exceeds the limit of 64 chunk streams", Fails([.. input]).Message);
    }

    [Theory]
    [InlineData("C3", "chunk stream 3 starts with fmt 3")]
    [InlineData("43 000000 000001 08 00", "chunk stream 3 starts with fmt 1")]
    [InlineData("84 000000 00", "chunk stream 4 starts with fmt 2")]
    [InlineData("C1 FFFF", "chunk stream 65599 starts with fmt 3")]
    [InlineData("40 00", "chunk stream 64 starts with fmt 1")]
    public void Chunk_stream_must_start_with_fmt0(string input, string message)
    {
        Assert.Equal(message, Fails(Hex(input)).Message);
    }

    [Theory]
    [InlineData("00000000", "SetChunkSize 0 is invalid: the chunk size must be at least 1")]
    [InlineData("80000080", "SetChunkSize 0x80000080 has the top bit set")]
    [InlineData("FFFFFFFF", "SetChunkSize 0xFFFFFFFF has the top bit set")]
    public void Invalid_chunk_sizes(string value, string message)
    {
        Assert.Equal(message, Fails(Hex("02 000000 000004 01 00000000" + value)).Message);
    }

    [Fact]
    public void Chunk_size_over_the_configured_limit()
    {
        var options = new RtmpChunkReaderOptions { MaxChunkSize = 65536 };

        Assert.Equal("SetChunkSize 65537 exceeds the limit of 65536", Fails(Hex("02 000000 000004 01 00000000 00010001"), options).Message);
    }

    [Theory]
    [InlineData("03 000000 0000C8 09 01000000", "chunk stream 3: message length changed from 300 to 200 mid-message")]
    [InlineData("43 000000 00012D 09", "chunk stream 3: message length changed from 300 to 301 mid-message")]
    public void Length_change_mid_message(string header, string message)
    {
        var input = Concat(Hex("03 000000 00012C 09 01000000"), Pattern(128), Hex(header));

        Assert.Equal(message, Fails(input).Message);
    }

    [Theory]
    [InlineData("02 000000 000002 01 00000000 0010", "SetChunkSize payload is 2 bytes, expected at least 4")]
    [InlineData("02 000000 000001 02 00000000 03", "Abort payload is 1 bytes, expected at least 4")]
    public void Short_control_payloads(string input, string message)
    {
        Assert.Equal(message, Fails(Hex(input)).Message);
    }

    [Fact]
    public void Rejected_chunk_size_leaves_the_chunk_size_unchanged()
    {
        using var chunkReader = new RtmpChunkReader();
        var input = Hex("02 000000 000004 01 00000000 00000000");

        Assert.Throws<MediaFormatException>(() => ReadAll(chunkReader, input, out _));

        Assert.Equal(128, chunkReader.ChunkSize);
    }
}
