using Platform.Media.Buffers;
using Platform.Media.Ts;

namespace Platform.Media.Tests.Ts;

/// <summary>Builds FLV tag bodies by hand for the muxer tests.</summary>
internal static class TsFrames
{
    /// <summary>Units behind big-endian length prefixes of <paramref name="lengthSize"/> bytes.</summary>
    public static byte[] LengthPrefixed(int lengthSize, params byte[][] units)
    {
        var result = new List<byte>();
        foreach (var unit in units)
        {
            for (var i = lengthSize - 1; i >= 0; i--)
            {
                result.Add((byte)(unit.Length >> (8 * i)));
            }

            result.AddRange(unit);
        }

        return [.. result];
    }

    /// <summary>Units behind 4-byte start codes, as the muxer should write them.</summary>
    public static byte[] AnnexB(params byte[][] units) => [.. units.SelectMany(u => (byte[])[0, 0, 0, 1, .. u])];

    /// <summary>A legacy AVC NALU packet: frame type, codec 7, packet type 1, composition time.</summary>
    public static byte[] Avc(bool key, int compositionTime, params byte[][] units) =>
        [(byte)(key ? 0x17 : 0x27), 1, .. Si24(compositionTime), .. LengthPrefixed(4, units)];

    /// <summary>A legacy HEVC (codec id 12) NALU packet with 2-byte length prefixes.</summary>
    public static byte[] LegacyHevc(bool key, int compositionTime, params byte[][] units) =>
        [(byte)(key ? 0x1C : 0x2C), 1, .. Si24(compositionTime), .. LengthPrefixed(2, units)];

    /// <summary>An enhanced hvc1 CodedFrames packet (with composition time) with 2-byte length prefixes.</summary>
    public static byte[] EnhancedHevc(bool key, int compositionTime, params byte[][] units) =>
        [(byte)(0x80 | (key ? 0x10 : 0x20) | 1), .. "hvc1"u8, .. Si24(compositionTime), .. LengthPrefixed(2, units)];

    /// <summary>
    /// A hand-built hvcC: Main, level 3.1, lengthSizeMinusOne 1 (2-byte NAL lengths), three arrays with a
    /// 4-byte VPS, SPS and PPS (fake bodies behind real NAL headers).
    /// </summary>
    public static readonly byte[] HandBuiltHvcC =
    [
        0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5D, 0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8,
        0x00, 0x00, 0x0D, 0x03,
        0x20, 0x00, 0x01, 0x00, 0x04, 0x40, 0x01, 0x0C, 0x01,
        0x21, 0x00, 0x01, 0x00, 0x04, 0x42, 0x01, 0x01, 0x01,
        0x22, 0x00, 0x01, 0x00, 0x04, 0x44, 0x01, 0xC1, 0x72,
    ];

    public static readonly byte[] HevcVpsNal = [0x40, 0x01, 0x0C, 0x01];
    public static readonly byte[] HevcSpsNal = [0x42, 0x01, 0x01, 0x01];
    public static readonly byte[] HevcPpsNal = [0x44, 0x01, 0xC1, 0x72];

    /// <summary>An NAL unit: <paramref name="header"/> then <paramref name="length"/> - header bytes counting up.</summary>
    public static byte[] Nal(int length, params byte[] header)
    {
        var nal = new byte[length];
        header.CopyTo(nal, 0);
        for (var i = header.Length; i < length; i++)
        {
            nal[i] = (byte)i;
        }

        return nal;
    }

    public static byte[] Video(TsMuxer muxer, uint dts, byte[] body, bool expected = true)
    {
        using var output = new PooledBufferWriter();
        Assert.Equal(expected, muxer.WriteVideo(output, dts, body));
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Audio(TsMuxer muxer, uint pts, byte[] body, bool expected = true)
    {
        using var output = new PooledBufferWriter();
        Assert.Equal(expected, muxer.WriteAudio(output, pts, body));
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Si24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
