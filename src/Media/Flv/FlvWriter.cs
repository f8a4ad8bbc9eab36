using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Media.Flv;

/// <summary>Writes the FLV file header and tags (header, payload, PreviousTagSize).</summary>
public static class FlvWriter
{
    /// <summary>The 9-byte header and the 4-byte PreviousTagSize0.</summary>
    public const int FileHeaderLength = 13;

    public const int TagHeaderLength = 11;

    public const int PreviousTagSizeLength = 4;

    /// <summary>Largest tag payload: DataSize is 24 bits.</summary>
    public const int MaxDataSize = 0xFFFFFF;

    private const byte AudioFlag = 0x04;
    private const byte VideoFlag = 0x01;

    /// <summary>Header, payload and PreviousTagSize.</summary>
    public static int GetTagLength(int payloadLength) => TagHeaderLength + payloadLength + PreviousTagSizeLength;

    public static void WriteFileHeader(Span<byte> dest, bool hasAudio, bool hasVideo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dest.Length, FileHeaderLength, nameof(dest));
        "FLV"u8.CopyTo(dest);
        dest[3] = 1;
        dest[4] = (byte)((hasAudio ? AudioFlag : 0) | (hasVideo ? VideoFlag : 0));
        BinaryPrimitives.WriteUInt32BigEndian(dest[5..], 9);
        BinaryPrimitives.WriteUInt32BigEndian(dest[9..], 0);
    }

    public static void WriteFileHeader(IBufferWriter<byte> writer, bool hasAudio, bool hasVideo)
    {
        WriteFileHeader(writer.GetSpan(FileHeaderLength), hasAudio, hasVideo);
        writer.Advance(FileHeaderLength);
    }

    /// <summary>
    /// The 11-byte tag header: type, 24-bit size, 24-bit timestamp and its extended upper byte, stream id 0.
    /// </summary>
    public static void WriteTagHeader(Span<byte> dest, FlvTagType type, int dataSize, uint timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dest.Length, TagHeaderLength, nameof(dest));
        ArgumentOutOfRangeException.ThrowIfNegative(dataSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataSize, MaxDataSize);
        dest[0] = (byte)type;
        WriteUInt24(dest[1..], (uint)dataSize);
        WriteUInt24(dest[4..], timestamp & 0xFFFFFF);
        dest[7] = (byte)(timestamp >> 24);
        WriteUInt24(dest[8..], 0);
    }

    public static void WriteTag(Span<byte> dest, FlvTagType type, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var length = GetTagLength(payload.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(dest.Length, length, nameof(dest));
        WriteTagHeader(dest, type, payload.Length, timestamp);
        payload.CopyTo(dest[TagHeaderLength..]);
        BinaryPrimitives.WriteUInt32BigEndian(dest[(TagHeaderLength + payload.Length)..], (uint)(TagHeaderLength + payload.Length));
    }

    public static void WriteTag(IBufferWriter<byte> writer, FlvTagType type, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var length = GetTagLength(payload.Length);
        WriteTag(writer.GetSpan(length), type, timestamp, payload);
        writer.Advance(length);
    }

    /// <summary>Writes a tag whose payload is a sequence (e.g. a message reassembled from chunks).</summary>
    public static void WriteTag(IBufferWriter<byte> writer, FlvTagType type, uint timestamp, in ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            WriteTag(writer, type, timestamp, payload.FirstSpan);
            return;
        }

        var dataSize = checked((int)payload.Length);
        WriteTagHeader(writer.GetSpan(TagHeaderLength), type, dataSize, timestamp);
        writer.Advance(TagHeaderLength);
        foreach (var segment in payload)
        {
            writer.Write(segment.Span);
        }

        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(PreviousTagSizeLength), (uint)(TagHeaderLength + dataSize));
        writer.Advance(PreviousTagSizeLength);
    }

    private static void WriteUInt24(Span<byte> dest, uint value)
    {
        dest[0] = (byte)(value >> 16);
        dest[1] = (byte)(value >> 8);
        dest[2] = (byte)value;
    }
}
