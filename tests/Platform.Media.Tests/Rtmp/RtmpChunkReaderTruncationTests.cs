using System.Buffers;
using Platform.Media.Rtmp;
using Platform.Media.Tests.TestSupport;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

/// <summary>Every truncated prefix, every segmentation and byte-by-byte feeding of one rich chunk stream.</summary>
public sealed class RtmpChunkReaderTruncationTests
{
    private static readonly byte[] V1 = Pattern(300, 1), A1 = Pattern(200, 2), D1 = Pattern(150, 3),
        V2 = Pattern(300, 4), V3 = Pattern(400, 5), V4 = Pattern(400, 6), E1 = Pattern(300, 0x50), F1 = Pattern(300, 7);

    /// <summary>The chunks of the stream and whether each completes a message.</summary>
    private static readonly (byte[] Bytes, bool Completes)[] Chunks =
    [
        (Concat(Hex("04 0003E8 00012C 09 01000000"), V1[..128]), false),
        (Concat(Hex("06 0003DE 0000C8 08 01000000"), A1[..128]), false),
        (Concat(Hex("C4"), V1[128..256]), false),
        (Concat(Hex("C6"), A1[128..]), true),
        (Concat(Hex("C4"), V1[256..]), true),
        (Concat(Hex("01 0001 FFFFFF 000096 12 01000000 01020304"), D1[..128]), false), // 3-byte basic header
        (Concat(Hex("C1 0001 01020304"), D1[128..]), true), // extended timestamp repeated
        (Concat(Hex("84 000014"), V2[..128]), false), // fmt 2
        (Concat(Hex("C4"), V2[128..256]), false),
        (Hex("02 000000 000004 01 00000000 000000C8"), true), // SetChunkSize 200 mid-message
        (Concat(Hex("C4"), V2[256..]), true),
        (Concat(Hex("44 000014 000190 09"), V3[..200]), false), // fmt 1
        (Concat(Hex("C4"), V3[200..]), true),
        (Concat(Hex("C4"), V4[..200]), false), // fmt 3 starting a message
        (Hex("02 000000 000004 02 00000000 00000004"), true), // Abort it
        (Concat(Hex("05 FFFFFF 00012C 08 01000000 10000000"), E1[..200]), false),
        (Concat(Hex("C5"), E1[200..]), true), // extended timestamp omitted
        (Concat(Hex("C5 10000000"), F1[..200]), false), // fmt 3 new message: extended timestamp required
        (Concat(Hex("C5 10000000"), F1[200..]), true),
        (Hex("01 FFFF 000005 000000 12 00000000"), true), // zero-length message on chunk stream 65599
    ];

    private static readonly byte[] Input = Concat(Chunks.Select(c => c.Bytes).ToArray());

    [Fact]
    public void Whole_input_yields_the_expected_messages()
    {
        var messages = ReadAll(Input);

        Assert.Equal(10, messages.Count);
        AssertMessage(messages[0], 6, 990, RtmpMessageType.Audio, 1, A1);
        AssertMessage(messages[1], 4, 1000, RtmpMessageType.Video, 1, V1);
        AssertMessage(messages[2], 320, 0x01020304, RtmpMessageType.DataAmf0, 1, D1);
        AssertMessage(messages[3], 2, 0, RtmpMessageType.SetChunkSize, 0, Hex("000000C8"));
        AssertMessage(messages[4], 4, 1020, RtmpMessageType.Video, 1, V2);
        AssertMessage(messages[5], 4, 1040, RtmpMessageType.Video, 1, V3);
        AssertMessage(messages[6], 2, 0, RtmpMessageType.Abort, 0, Hex("00000004"));
        AssertMessage(messages[7], 5, 0x10000000, RtmpMessageType.Audio, 1, E1);
        AssertMessage(messages[8], 5, 0x20000000, RtmpMessageType.Audio, 1, F1);
        AssertMessage(messages[9], 65599, 5, RtmpMessageType.DataAmf0, 0, []);
    }

    [Fact]
    public void Every_truncated_prefix_consumes_whole_chunks_only_and_the_rest_completes_it()
    {
        var expected = ReadAll(Input);
        for (var length = 0; length <= Input.Length; length++)
        {
            var (boundary, completed) = LastBoundary(length);
            using var chunkReader = new RtmpChunkReader();

            var head = ReadAll(chunkReader, Input[..length], out var consumed);

            Assert.True(boundary == consumed, $"prefix {length}: consumed {consumed}, expected the chunk boundary {boundary}");
            Assert.Equal(expected.Take(completed), head);
            var tail = ReadAll(chunkReader, Input[(int)consumed..], out var tailConsumed);
            Assert.Equal(Input.Length - consumed, tailConsumed);
            Assert.Equal(expected, head.Concat(tail));
            Assert.Equal(Input.Length, chunkReader.BytesConsumed);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(127)]
    public void Segmented_input_parses_identically(int segmentSize)
    {
        var expected = ReadAll(Input);
        using var chunkReader = new RtmpChunkReader();

        var messages = ReadAll(chunkReader, Segments.Split(Input, segmentSize), out var consumed);

        Assert.Equal(Input.Length, consumed);
        Assert.Equal(expected, messages);
    }

    [Fact]
    public void Feeding_one_byte_at_a_time_like_a_pipe_parses_identically()
    {
        var expected = ReadAll(Input);
        using var chunkReader = new RtmpChunkReader();
        var messages = new List<ReadMessage>();
        var consumed = 0;
        for (var end = 1; end <= Input.Length; end++)
        {
            // Unconsumed bytes stay in the pipe; new ones arrive one at a time.
            messages.AddRange(ReadAll(chunkReader, Segments.Split(Input[consumed..end], 1), out var used));
            consumed += (int)used;
            Assert.Equal(LastBoundary(end).Boundary, consumed);
        }

        Assert.Equal(expected, messages);
    }

    private static (int Boundary, int Completed) LastBoundary(int length)
    {
        var boundary = 0;
        var completed = 0;
        foreach (var (bytes, completes) in Chunks)
        {
            if (boundary + bytes.Length > length)
            {
                break;
            }

            boundary += bytes.Length;
            completed += completes ? 1 : 0;
        }

        return (boundary, completed);
    }
}
