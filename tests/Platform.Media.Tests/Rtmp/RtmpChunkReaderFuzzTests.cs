using System.Buffers;
using Platform.Media.Rtmp;
using Platform.Media.Tests.TestSupport;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

/// <summary>Seeded mutations of a valid stream: the reader parses or throws MediaFormatException, nothing else.</summary>
public sealed class RtmpChunkReaderFuzzTests
{
    private static readonly byte[] Valid = Concat(
        Chunked(3, 0, RtmpMessageType.CommandAmf0, 0, Pattern(150)),
        Hex("02 000000 000004 01 00000000 00000040"), // SetChunkSize 64
        Chunked(4, 0x01020304, RtmpMessageType.Video, 1, Pattern(300), 64),
        Hex("84 000014"), Pattern(64), Hex("C4"), Pattern(64), Hex("C4"), Pattern(64), Hex("C4"), Pattern(64), Hex("C4"), Pattern(44),
        Chunked(320, 20, RtmpMessageType.Audio, 1, Pattern(100), 64));

    [Fact]
    public void Seed_stream_is_valid()
    {
        Assert.Equal(5, ReadAll(Valid).Count);
    }

    [Fact]
    public void Mutated_streams_only_ever_throw_MediaFormatException()
    {
        var random = new Random(20240611);
        var options = new RtmpChunkReaderOptions { MaxMessageLength = 64 * 1024, MaxChunkStreams = 8 };
        for (var round = 0; round < 5000; round++)
        {
            var bytes = (byte[])Valid.Clone();
            var mutations = random.Next(1, 5);
            for (var i = 0; i < mutations; i++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            Parse(bytes, options, segmentSize: 1 + (round % 9));
        }
    }

    [Fact]
    public void Random_bytes_only_ever_throw_MediaFormatException()
    {
        var random = new Random(7);
        for (var round = 0; round < 3000; round++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && round % 2 == 0)
            {
                bytes[0] &= 0x3F; // start with fmt 0 so the header is actually parsed
            }

            Parse(bytes, new RtmpChunkReaderOptions(), segmentSize: 1 + (round % 5));
        }
    }

    private static void Parse(byte[] bytes, RtmpChunkReaderOptions options, int segmentSize)
    {
        using var chunkReader = new RtmpChunkReader(options);
        var reader = new SequenceReader<byte>(Segments.Split(bytes, segmentSize));
        try
        {
            while (chunkReader.TryReadMessage(ref reader, out var message))
            {
                Assert.Equal(message.Header.Length, message.Payload.Length);
                message.Dispose();
            }
        }
        catch (MediaFormatException)
        {
        }
    }
}
