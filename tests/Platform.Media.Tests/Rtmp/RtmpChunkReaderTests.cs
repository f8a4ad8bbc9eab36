using System.Buffers;
using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

public sealed class RtmpChunkReaderTests
{
    [Fact]
    public void Reads_writer_output_back()
    {
        var big = Pattern(70_000, 3);
        var input = Concat(
            Chunked(3, 0, RtmpMessageType.CommandAmf0, 0, Pattern(10)),
            Chunked(64, 0x00FFFFFF, RtmpMessageType.Video, 1, big),
            Chunked(65599, 0xFFFFFFFF, RtmpMessageType.Audio, 1, Pattern(129)),
            Chunked(4, 5, RtmpMessageType.DataAmf0, 1, []));

        var messages = ReadAll(input);

        Assert.Equal(4, messages.Count);
        AssertMessage(messages[0], 3, 0, RtmpMessageType.CommandAmf0, 0, Pattern(10));
        AssertMessage(messages[1], 64, 0x00FFFFFF, RtmpMessageType.Video, 1, big);
        AssertMessage(messages[2], 65599, 0xFFFFFFFF, RtmpMessageType.Audio, 1, Pattern(129));
        AssertMessage(messages[3], 4, 5, RtmpMessageType.DataAmf0, 1, []);
    }

    [Fact]
    public void Spec_example_fmt0_then_fmt2_fmt3_and_fmt1_deltas()
    {
        // RTMP 1.0 section 5.3.2.1: audio on chunk stream 3, message stream 12345, 20 ms apart.
        byte[] a = Pattern(32, 0x10), b = Pattern(32, 0x40), c = Pattern(32, 0x70), d = Pattern(16, 0xA0);
        var input = Concat(
            Hex("03 0003E8 000020 08 39300000"), a,
            Hex("83 000014"), b,
            Hex("C3"), c,
            Hex("43 00000A 000010 09"), d);

        var messages = ReadAll(input);

        Assert.Equal(4, messages.Count);
        AssertMessage(messages[0], 3, 1000, RtmpMessageType.Audio, 12345, a);
        AssertMessage(messages[1], 3, 1020, RtmpMessageType.Audio, 12345, b);
        AssertMessage(messages[2], 3, 1040, RtmpMessageType.Audio, 12345, c);
        AssertMessage(messages[3], 3, 1050, RtmpMessageType.Video, 12345, d);
    }

    [Fact]
    public void Spec_example_one_message_in_three_chunks()
    {
        // RTMP 1.0 section 5.3.2.2: a 307-byte message at chunk size 128.
        var payload = Pattern(307);
        var input = Concat(
            Hex("04 0003E8 000133 09 39300000"), payload[..128],
            Hex("C4"), payload[128..256],
            Hex("C4"), payload[256..]);

        var message = Assert.Single(ReadAll(input));

        AssertMessage(message, 4, 1000, RtmpMessageType.Video, 12345, payload);
    }

    [Fact]
    public void Timestamp_deltas_wrap_past_2_pow_32()
    {
        var input = Concat(
            Hex("05 FFFFFF 000001 08 01000000 FFFFFF00"), [0],
            Hex("85 000040"), [1], // fmt 2: +0x40
            Hex("C5"), [2], // fmt 3: +0x40 again
            Hex("C5"), [3],
            Hex("C5"), [4], // wraps to 0
            Hex("C5"), [5],
            Hex("45 FFFFFF 000001 08 FFFFFFFF"), [6], // fmt 1 with an extended delta of 2^32 - 1
            Hex("C5 FFFFFFFF"), [7]); // fmt 3 new message: the extended delta is repeated

        var messages = ReadAll(input);

        uint[] expected = [0xFFFFFF00, 0xFFFFFF40, 0xFFFFFF80, 0xFFFFFFC0, 0, 0x40, 0x3F, 0x3E];
        Assert.Equal(expected, messages.Select(m => m.Header.Timestamp));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (byte)i), messages.Select(m => m.Payload[0]));
    }

    [Fact]
    public void Interleaved_messages_on_two_chunk_streams()
    {
        byte[] video = Pattern(300, 1), audio = Pattern(200, 2);
        var afterAudio = 12 + 128 + 12 + 128 + 1 + 128 + 1 + 72;
        var input = Concat(
            Hex("04 000064 00012C 09 01000000"), video[..128],
            Hex("06 00005A 0000C8 08 01000000"), audio[..128],
            Hex("C4"), video[128..256],
            Hex("C6"), audio[128..],
            Hex("C4"), video[256..]);
        using var chunkReader = new RtmpChunkReader();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));

        Assert.True(chunkReader.TryReadMessage(ref reader, out var first));
        Assert.Equal(afterAudio, reader.Consumed);
        Assert.True(chunkReader.TryReadMessage(ref reader, out var second));
        Assert.False(chunkReader.TryReadMessage(ref reader, out var none));

        Assert.Null(none);
        Assert.Equal(new RtmpMessageHeader(6, 90, 200, RtmpMessageType.Audio, 1), first.Header);
        Assert.Equal(audio, first.Payload.ReadOnlySpan.ToArray());
        Assert.Equal(new RtmpMessageHeader(4, 100, 300, RtmpMessageType.Video, 1), second.Header);
        Assert.Equal(video, second.Payload.ReadOnlySpan.ToArray());
        Assert.Equal(2, chunkReader.ChunkStreamCount);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public void SetChunkSize_applies_mid_stream_even_between_chunks_of_another_message()
    {
        byte[] video = Pattern(300, 1), audio = Pattern(3000, 2);
        var input = Concat(
            Hex("04 000000 00012C 09 01000000"), video[..128],
            Hex("02 000000 000004 01 00000000 00001000"),
            Hex("C4"), video[128..], // the remaining 172 bytes in one chunk at the new size
            Hex("06 000000 000BB8 08 01000000"), audio); // 3000 bytes in one chunk
        using var chunkReader = new RtmpChunkReader();

        var messages = ReadAll(chunkReader, input, out var consumed);

        Assert.Equal(input.Length, consumed);
        Assert.Equal(4096, chunkReader.ChunkSize);
        Assert.Equal(3, messages.Count);
        AssertMessage(messages[0], 2, 0, RtmpMessageType.SetChunkSize, 0, Hex("00001000"));
        AssertMessage(messages[1], 4, 0, RtmpMessageType.Video, 1, video);
        AssertMessage(messages[2], 6, 0, RtmpMessageType.Audio, 1, audio);
    }

    [Fact]
    public void SetChunkSize_written_by_control_messages_then_large_chunks()
    {
        var writer = new ArrayBufferWriter<byte>();
        RtmpControlMessages.SetChunkSize(writer, 60_000);
        var payload = Pattern(100_000, 9);
        var input = Concat(writer.WrittenSpan.ToArray(), Chunked(5, 7, RtmpMessageType.Video, 1, payload, 60_000));
        using var chunkReader = new RtmpChunkReader();

        var messages = ReadAll(chunkReader, input, out _);

        Assert.Equal(60_000, chunkReader.ChunkSize);
        Assert.Equal(2, messages.Count);
        AssertMessage(messages[1], 5, 7, RtmpMessageType.Video, 1, payload);
    }

    [Fact]
    public void Abort_drops_the_partial_message_and_releases_its_buffer()
    {
        var video = Pattern(300, 1);
        var start = Concat(Hex("04 000000 00012C 09 01000000"), video[..128]);
        var rest = Concat(
            Hex("02 000000 000004 02 00000000 00000004"),
            Hex("04 000010 000005 09 01000000 0102030405"), // a new message with another length is fine now
            Hex("02 000000 000004 02 00000000 00000009")); // aborting an unknown chunk stream is ignored
        using var chunkReader = new RtmpChunkReader();

        Assert.Empty(ReadAll(chunkReader, start, out var consumed));
        Assert.Equal(start.Length, consumed);
        var partial = chunkReader.GetPartialBuffer(4);
        Assert.NotNull(partial);
        Assert.Equal(1, partial.RefCount);

        var messages = ReadAll(chunkReader, rest, out consumed);

        Assert.Equal(rest.Length, consumed);
        Assert.Equal(0, partial.RefCount);
        Assert.Null(chunkReader.GetPartialBuffer(4));
        Assert.Equal(3, messages.Count);
        AssertMessage(messages[0], 2, 0, RtmpMessageType.Abort, 0, Hex("00000004"));
        AssertMessage(messages[1], 4, 16, RtmpMessageType.Video, 1, Hex("0102030405"));
        Assert.Equal(RtmpMessageType.Abort, messages[2].Header.Type);
    }

    [Fact]
    public void Header_mid_message_with_the_same_length_continues_the_message()
    {
        var video = Pattern(300, 1);
        var input = Concat(
            Hex("04 000000 00012C 09 01000000"), video[..128],
            Hex("44 000000 00012C 09"), video[128..256],
            Hex("C4"), video[256..]);

        var message = Assert.Single(ReadAll(input));

        AssertMessage(message, 4, 0, RtmpMessageType.Video, 1, video);
    }

    [Fact]
    public void Counts_bytes_consumed_across_calls_and_reset_starts_over()
    {
        var input = Concat(Chunked(3, 0, RtmpMessageType.Audio, 1, Pattern(200)), Hex("03 000000 00012C"));
        using var chunkReader = new RtmpChunkReader();

        ReadAll(chunkReader, input, out var consumed);
        ReadAll(chunkReader, input.AsSpan(0, (int)consumed).ToArray(), out _);

        Assert.Equal(2 * consumed, chunkReader.BytesConsumed);
        chunkReader.Reset();
        Assert.Equal(0, chunkReader.BytesConsumed);
        Assert.Equal(0, chunkReader.ChunkStreamCount);
        Assert.Equal(128, chunkReader.ChunkSize);
    }

    [Fact]
    public void Options_are_validated_and_a_disposed_reader_refuses_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtmpChunkReader(new RtmpChunkReaderOptions { MaxMessageLength = 0x1000000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtmpChunkReader(new RtmpChunkReaderOptions { MaxChunkStreams = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtmpChunkReader(new RtmpChunkReaderOptions { MaxChunkSize = 0 }));
        var chunkReader = new RtmpChunkReader();
        chunkReader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ReadAll(chunkReader, Hex("03"), out _));
    }
}
