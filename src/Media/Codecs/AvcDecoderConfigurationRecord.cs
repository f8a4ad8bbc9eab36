using System.Buffers.Binary;

namespace Platform.Media.Codecs;

/// <summary>
/// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1, the "avcC" carried by an AVC sequence
/// header). Parameter sets are copied: a sequence header arrives once per publish.
/// </summary>
public sealed record AvcConfig(
    byte Profile,
    byte ProfileCompatibility,
    byte Level,
    int NalLengthSize,
    IReadOnlyList<byte[]> Sps,
    IReadOnlyList<byte[]> Pps);

public static class AvcDecoderConfigurationRecord
{
    private const int FixedLength = 6;

    /// <summary>Parses an avcC; false on anything truncated or inconsistent, never an exception.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out AvcConfig config)
    {
        config = null!;
        if (data.Length < FixedLength || data[0] != 1)
        {
            return false;
        }

        var nalLengthSize = (data[4] & 0x03) + 1;
        var rest = data[FixedLength..];
        if (!TryReadList(ref rest, data[5] & 0x1F, out var sps) || rest.Length < 1)
        {
            return false;
        }

        var ppsCount = rest[0];
        rest = rest[1..];
        if (!TryReadList(ref rest, ppsCount, out var pps))
        {
            return false;
        }

        // High profiles may append chroma_format and bit depths (and SPS extensions): not needed here.
        config = new AvcConfig(data[1], data[2], data[3], nalLengthSize, sps, pps);
        return true;
    }

    /// <summary>Reads <paramref name="count"/> units, each a 16-bit length and its bytes.</summary>
    internal static bool TryReadList(ref ReadOnlySpan<byte> data, int count, out byte[][] units)
    {
        if (count > data.Length / 2)
        {
            units = [];
            return false; // cannot fit even empty units: do not allocate for a bogus count
        }

        units = count == 0 ? [] : new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (data.Length < 2)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data);
            if (data.Length - 2 < length)
            {
                return false;
            }

            units[i] = data.Slice(2, length).ToArray();
            data = data[(2 + length)..];
        }

        return true;
    }
}
