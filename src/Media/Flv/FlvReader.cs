using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Media.Flv;

/// <summary>
/// Reads an FLV byte stream, Kestrel style: each TryRead returns false and consumes nothing when the input
/// is incomplete, and throws <see cref="MediaFormatException"/> on malformed input, checking declared sizes
/// against limits before waiting for (buffering) the bytes.
/// </summary>
public static class FlvReader
{
    /// <summary>Largest header data offset accepted (the standard one is 9).</summary>
    public const int MaxDataOffset = 1024;

    private const int HeaderLength = 9;

    /// <summary>Reads the file header, skips to its data offset and past PreviousTagSize0.</summary>
    public static bool TryReadFileHeader(ref SequenceReader<byte> reader, out FlvFileHeader header)
    {
        header = default;
        Span<byte> bytes = stackalloc byte[HeaderLength];
        if (!reader.TryCopyTo(bytes))
        {
            // Reject a wrong signature as soon as its bytes are there, not after waiting for nine.
            var available = (int)Math.Min(reader.Remaining, 3);
            reader.TryCopyTo(bytes[..available]);
            CheckSignature(bytes[..available]);
            return false;
        }

        CheckSignature(bytes[..3]);
        var dataOffset = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        if (dataOffset < HeaderLength)
        {
            ThrowHelper.Malformed($"FLV header data offset {dataOffset} is less than 9.");
        }

        if (dataOffset > MaxDataOffset)
        {
            ThrowHelper.Malformed($"FLV header data offset {dataOffset} exceeds {MaxDataOffset}.");
        }

        var total = dataOffset + FlvWriter.PreviousTagSizeLength;
        if (reader.Remaining < total)
        {
            return false;
        }

        reader.Advance(total);
        header = new FlvFileHeader(bytes[3], (bytes[4] & 0x04) != 0, (bytes[4] & 0x01) != 0, dataOffset);
        return true;
    }

    /// <summary>
    /// Reads one tag and the PreviousTagSize that follows it (which must be 11 + DataSize, or 0 as some
    /// writers put). The tag's data is a slice of the input.
    /// </summary>
    public static bool TryReadTag(ref SequenceReader<byte> reader, int maxDataSize, out FlvTag tag)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDataSize);
        tag = default;
        Span<byte> header = stackalloc byte[FlvWriter.TagHeaderLength];
        if (!reader.TryCopyTo(header))
        {
            return false;
        }

        ParseTagHeader(header, maxDataSize, aggregate: false, out var type, out var dataSize, out var timestamp);
        var length = FlvWriter.GetTagLength(dataSize);
        if (reader.Remaining < length)
        {
            return false;
        }

        var probe = reader;
        probe.Advance(FlvWriter.TagHeaderLength + dataSize);
        probe.TryReadBigEndian(out int previousTagSize);
        var expected = FlvWriter.TagHeaderLength + dataSize;
        if (previousTagSize != 0 && previousTagSize != expected)
        {
            ThrowHelper.Malformed(
                $"FLV previous tag size {(uint)previousTagSize} does not match tag size {expected} (11 + data size {dataSize}).");
        }

        var data = reader.UnreadSequence.Slice(FlvWriter.TagHeaderLength, dataSize);
        reader.Advance(length);
        tag = new FlvTag(type, timestamp, data);
        return true;
    }

    /// <summary>Validates an 11-byte tag header (shared with RTMP aggregate messages).</summary>
    internal static void ParseTagHeader(
        ReadOnlySpan<byte> header, int maxDataSize, bool aggregate, out FlvTagType type, out int dataSize, out uint timestamp)
    {
        var first = header[0];
        if ((first & 0xC0) != 0)
        {
            ThrowHelper.Malformed($"{Subject(aggregate)} reserved bits are set (first byte 0x{first:X2}).");
        }

        if ((first & 0x20) != 0)
        {
            ThrowHelper.Malformed($"{Subject(aggregate)} is encrypted (filter bit set): not supported.");
        }

        type = (FlvTagType)(first & 0x1F);
        if (type is not (FlvTagType.Audio or FlvTagType.Video or FlvTagType.Script))
        {
            ThrowHelper.Malformed($"{Subject(aggregate)} type {(int)type} is not audio (8), video (9) or script data (18).");
        }

        dataSize = (header[1] << 16) | (header[2] << 8) | header[3];
        if (dataSize > maxDataSize)
        {
            ThrowHelper.Malformed($"{Subject(aggregate)} data size {dataSize} exceeds the limit of {maxDataSize} bytes.");
        }

        timestamp = (uint)((header[7] << 24) | (header[4] << 16) | (header[5] << 8) | header[6]);
    }

    private static string Subject(bool aggregate) => aggregate ? "Aggregate sub-message" : "FLV tag";

    private static void CheckSignature(ReadOnlySpan<byte> signature)
    {
        if (!"FLV"u8.StartsWith(signature))
        {
            ThrowHelper.Malformed($"FLV header signature {Convert.ToHexString(signature)} is not 'FLV' (464C56).");
        }
    }
}
