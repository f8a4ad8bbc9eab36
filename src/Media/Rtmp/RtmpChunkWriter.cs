using System.Buffers;
using System.Buffers.Binary;
using Platform.Media.Buffers;

namespace Platform.Media.Rtmp;

/// <summary>
/// Splits one message into chunks: a fmt 0 first chunk and fmt 3 continuations, with the extended
/// timestamp written (and repeated on every continuation) when the timestamp is at least 0xFFFFFF.
/// Every message starts with a full fmt 0 header, so any message can be left out for one reader without
/// breaking the chunk stream state of the next: chunked bytes can be shared by all readers.
/// </summary>
public static class RtmpChunkWriter
{
    private const int Fmt0HeaderLength = 11;

    /// <summary>Exact number of bytes <see cref="WriteMessage(Span{byte}, int, uint, RtmpMessageType, uint, ReadOnlySpan{byte}, int)"/> writes.</summary>
    public static int GetChunkedLength(int chunkStreamId, uint timestamp, int payloadLength, int chunkSize)
    {
        var basic = BasicHeaderLength(chunkStreamId);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, RtmpChunkProtocol.MaxMessageLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var extended = timestamp >= RtmpChunkProtocol.ExtendedTimestampMarker ? 4 : 0;
        var chunks = payloadLength == 0 ? 1 : ((payloadLength - 1) / chunkSize) + 1;
        return basic + Fmt0HeaderLength + extended + payloadLength + ((chunks - 1) * (basic + extended));
    }

    /// <summary>Writes the chunked message into <paramref name="destination"/> (at least
    /// <see cref="GetChunkedLength"/> bytes).</summary>
    public static void WriteMessage(
        Span<byte> destination,
        int chunkStreamId,
        uint timestamp,
        RtmpMessageType type,
        uint messageStreamId,
        ReadOnlySpan<byte> payload,
        int chunkSize)
    {
        var total = GetChunkedLength(chunkStreamId, timestamp, payload.Length, chunkSize);
        if (destination.Length < total)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes, {total} needed.", nameof(destination));
        }

        var extended = timestamp >= RtmpChunkProtocol.ExtendedTimestampMarker;
        var pos = WriteBasicHeader(destination, 0, chunkStreamId);
        WriteUInt24(destination[pos..], extended ? RtmpChunkProtocol.ExtendedTimestampMarker : timestamp);
        WriteUInt24(destination[(pos + 3)..], (uint)payload.Length);
        destination[pos + 6] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(pos + 7)..], messageStreamId);
        pos += Fmt0HeaderLength;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[pos..], timestamp);
            pos += 4;
        }

        var part = Math.Min(chunkSize, payload.Length);
        payload[..part].CopyTo(destination[pos..]);
        pos += part;
        for (var offset = part; offset < payload.Length; offset += part)
        {
            pos += WriteBasicHeader(destination[pos..], 3, chunkStreamId);
            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[pos..], timestamp);
                pos += 4;
            }

            part = Math.Min(chunkSize, payload.Length - offset);
            payload.Slice(offset, part).CopyTo(destination[pos..]);
            pos += part;
        }
    }

    /// <summary>Writes the chunked message into <paramref name="writer"/> in one contiguous span.</summary>
    public static void WriteMessage(
        IBufferWriter<byte> writer,
        int chunkStreamId,
        uint timestamp,
        RtmpMessageType type,
        uint messageStreamId,
        ReadOnlySpan<byte> payload,
        int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var total = GetChunkedLength(chunkStreamId, timestamp, payload.Length, chunkSize);
        WriteMessage(writer.GetSpan(total), chunkStreamId, timestamp, type, messageStreamId, payload, chunkSize);
        writer.Advance(total);
    }

    /// <summary>Chunks the message into an exactly sized pooled buffer (reference count one).</summary>
    public static PooledBuffer Chunk(
        int chunkStreamId,
        uint timestamp,
        RtmpMessageType type,
        uint messageStreamId,
        ReadOnlySpan<byte> payload,
        int chunkSize)
    {
        var total = GetChunkedLength(chunkStreamId, timestamp, payload.Length, chunkSize);
        var buffer = PooledBuffer.Rent(total);
        WriteMessage(buffer.Span, chunkStreamId, timestamp, type, messageStreamId, payload, chunkSize);
        return buffer;
    }

    private static int BasicHeaderLength(int chunkStreamId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkStreamId, RtmpChunkProtocol.MinChunkStreamId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkStreamId, RtmpChunkProtocol.MaxChunkStreamId);
        return chunkStreamId switch
        {
            < 64 => 1,
            < 320 => 2,
            _ => 3,
        };
    }

    private static int WriteBasicHeader(Span<byte> destination, int fmt, int chunkStreamId)
    {
        var high = (byte)(fmt << 6);
        if (chunkStreamId < 64)
        {
            destination[0] = (byte)(high | chunkStreamId);
            return 1;
        }

        var rest = chunkStreamId - 64;
        if (rest < 256)
        {
            destination[1] = (byte)rest;
            destination[0] = high;
            return 2;
        }

        destination[2] = (byte)(rest >> 8);
        destination[1] = (byte)rest;
        destination[0] = (byte)(high | 1);
        return 3;
    }

    private static void WriteUInt24(Span<byte> destination, uint value)
    {
        destination[2] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[0] = (byte)(value >> 16);
    }
}
