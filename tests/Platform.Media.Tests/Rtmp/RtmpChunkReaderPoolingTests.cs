using System.Buffers;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using static Platform.Media.Tests.Rtmp.RtmpTestData;

namespace Platform.Media.Tests.Rtmp;

public sealed class RtmpChunkReaderPoolingTests
{
    [Fact]
    public void Disposed_messages_return_their_payloads_to_the_pool()
    {
        var input = Concat(
            Chunked(3, 0, RtmpMessageType.Audio, 1, Pattern(100)),
            Chunked(4, 0, RtmpMessageType.Video, 1, Pattern(1000)),
            Chunked(4, 40, RtmpMessageType.Video, 1, []));
        using var chunkReader = new RtmpChunkReader();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        var payloads = new List<PooledBuffer>();

        while (chunkReader.TryReadMessage(ref reader, out var message))
        {
            Assert.Equal(1, message.Payload.RefCount);
            payloads.Add(message.Payload);
            message.Dispose();
            message.Dispose(); // idempotent
            Assert.Throws<ObjectDisposedException>(() => message.Payload);
        }

        Assert.Equal(3, payloads.Count);
        Assert.All(payloads, p => Assert.Equal(0, p.RefCount));
    }

    [Fact]
    public void A_payload_kept_with_AddRef_outlives_its_message()
    {
        using var chunkReader = new RtmpChunkReader();
        var message = Assert.Single(ReadMessages(chunkReader, Chunked(3, 0, RtmpMessageType.Audio, 1, Pattern(10))));
        var payload = message.Payload.AddRef();

        message.Dispose();

        Assert.Equal(1, payload.RefCount);
        Assert.Equal(Pattern(10), payload.ReadOnlySpan.ToArray());
        payload.Release();
        Assert.Equal(0, payload.RefCount);
    }

    [Fact]
    public void Partial_messages_are_released_by_reset_and_dispose()
    {
        var input = Concat(
            Hex("03 000000 00012C 09 01000000"), Pattern(128),
            Hex("04 000000 0000C8 08 01000000"), Pattern(128));
        var chunkReader = new RtmpChunkReader();
        Assert.Empty(ReadMessages(chunkReader, input));
        var first = chunkReader.GetPartialBuffer(3)!;
        var second = chunkReader.GetPartialBuffer(4)!;
        Assert.Equal(300, first.Length);
        Assert.Equal(1, first.RefCount);

        chunkReader.Reset();

        Assert.Equal(0, first.RefCount);
        Assert.Equal(0, second.RefCount);
        Assert.Null(chunkReader.GetPartialBuffer(3));

        Assert.Empty(ReadMessages(chunkReader, input));
        var third = chunkReader.GetPartialBuffer(3)!;
        chunkReader.Dispose();
        chunkReader.Dispose();
        Assert.Equal(0, third.RefCount);
    }

    [Fact]
    public void The_assembly_buffer_is_rented_once_at_the_declared_length_and_handed_over()
    {
        var payload = Pattern(1000);
        var chunked = Chunked(3, 0, RtmpMessageType.Video, 1, payload);
        using var chunkReader = new RtmpChunkReader();
        Assert.Empty(ReadMessages(chunkReader, chunked[..200]));
        var partial = chunkReader.GetPartialBuffer(3)!;
        var consumed = (int)chunkReader.BytesConsumed;

        var message = Assert.Single(ReadMessages(chunkReader, chunked[consumed..]));

        Assert.Same(partial, message.Payload);
        Assert.Equal(payload, message.Payload.ReadOnlySpan.ToArray());
        message.Dispose();
        Assert.Equal(0, partial.RefCount);
    }

    private static List<RtmpMessage> ReadMessages(RtmpChunkReader chunkReader, byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        var messages = new List<RtmpMessage>();
        while (chunkReader.TryReadMessage(ref reader, out var message))
        {
            messages.Add(message);
        }

        return messages;
    }
}
