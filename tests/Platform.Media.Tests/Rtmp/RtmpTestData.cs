using System.Buffers;
using Platform.Media.Rtmp;

namespace Platform.Media.Tests.Rtmp;

/// <summary>A message read back by a test: its header and a copy of its payload (compared by content).</summary>
internal sealed record ReadMessage(RtmpMessageHeader Header, byte[] Payload)
{
    public bool Equals(ReadMessage? other) =>
        other is not null && Header == other.Header && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => Header.GetHashCode();
}

internal static class RtmpTestData
{
    /// <summary>Bytes from hex digits; spaces are ignored.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A recognisable payload: byte i is (seed + i) mod 256.</summary>
    public static byte[] Pattern(int length, byte seed = 0)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + i);
        }

        return bytes;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var total = 0;
        foreach (var part in parts)
        {
            total += part.Length;
        }

        var result = new byte[total];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>Chunks one message with <see cref="RtmpChunkWriter"/> into a plain array.</summary>
    public static byte[] Chunked(int chunkStreamId, uint timestamp, RtmpMessageType type, uint messageStreamId, byte[] payload, int chunkSize = 128)
    {
        var buffer = RtmpChunkWriter.Chunk(chunkStreamId, timestamp, type, messageStreamId, payload, chunkSize);
        try
        {
            return buffer.ReadOnlySpan.ToArray();
        }
        finally
        {
            buffer.Release();
        }
    }

    /// <summary>Reads every message available, disposing each after copying it.</summary>
    public static List<ReadMessage> ReadAll(RtmpChunkReader chunkReader, ReadOnlySequence<byte> input, out long consumed)
    {
        var reader = new SequenceReader<byte>(input);
        var messages = new List<ReadMessage>();
        while (chunkReader.TryReadMessage(ref reader, out var message))
        {
            using (message)
            {
                Assert.Equal(message.Header.Length, message.Payload.Length);
                messages.Add(new ReadMessage(message.Header, message.Payload.ReadOnlySpan.ToArray()));
            }
        }

        consumed = reader.Consumed;
        return messages;
    }

    public static List<ReadMessage> ReadAll(RtmpChunkReader chunkReader, byte[] input, out long consumed) =>
        ReadAll(chunkReader, new ReadOnlySequence<byte>(input), out consumed);

    /// <summary>Reads a complete input with a fresh reader and checks that all of it was consumed.</summary>
    public static List<ReadMessage> ReadAll(byte[] input, RtmpChunkReaderOptions? options = null)
    {
        using var chunkReader = new RtmpChunkReader(options ?? new RtmpChunkReaderOptions());
        var messages = ReadAll(chunkReader, input, out var consumed);
        Assert.Equal(input.Length, consumed);
        Assert.Equal(input.Length, chunkReader.BytesConsumed);
        return messages;
    }

    public static void AssertMessage(ReadMessage actual, int chunkStreamId, uint timestamp, RtmpMessageType type, uint messageStreamId, byte[] payload)
    {
        Assert.Equal(new RtmpMessageHeader(chunkStreamId, timestamp, payload.Length, type, messageStreamId), actual.Header);
        Assert.Equal(payload, actual.Payload);
    }
}
