using System.Buffers.Binary;

namespace Platform.Media.Codecs;

/// <summary>
/// An HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1, the "hvcC" of an HEVC sequence header).
/// VPS, SPS and PPS arrays are copied; other arrays (SEI) are skipped.
/// </summary>
public sealed record HevcConfig(
    byte GeneralProfileSpace,
    bool GeneralTierFlag,
    byte GeneralProfileIdc,
    uint GeneralProfileCompatibilityFlags,
    byte GeneralLevelIdc,
    int ChromaFormat,
    int BitDepthLuma,
    int BitDepthChroma,
    int NalLengthSize,
    IReadOnlyList<byte[]> Vps,
    IReadOnlyList<byte[]> Sps,
    IReadOnlyList<byte[]> Pps)
{
    /// <summary>"Main", "Main10", ... (SRS names).</summary>
    public string ProfileName => CodecNames.HevcProfile(HevcSps.EffectiveProfileIdc(
        GeneralProfileIdc, GeneralProfileCompatibilityFlags));

    /// <summary>general_level_idc / 30: "3.1", "4", ...</summary>
    public string LevelName => CodecNames.HevcLevel(GeneralLevelIdc);
}

public static class HevcDecoderConfigurationRecord
{
    private const int FixedLength = 23;
    private const int VpsType = 32;
    private const int SpsType = 33;
    private const int PpsType = 34;

    /// <summary>Parses an hvcC; false on anything truncated or inconsistent, never an exception.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out HevcConfig config)
    {
        config = null!;
        if (data.Length < FixedLength)
        {
            return false;
        }

        // Version 1 by the standard; some early writers put 0. Anything else is not an hvcC.
        if (data[0] > 1)
        {
            return false;
        }

        List<byte[]> vps = [], sps = [], pps = [];
        var arrayCount = data[22];
        var rest = data[FixedLength..];
        for (var i = 0; i < arrayCount; i++)
        {
            if (rest.Length < 3)
            {
                return false;
            }

            var nalType = rest[0] & 0x3F;
            var count = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            rest = rest[3..];
            if (!AvcDecoderConfigurationRecord.TryReadList(ref rest, count, out var units))
            {
                return false;
            }

            var target = nalType switch { VpsType => vps, SpsType => sps, PpsType => pps, _ => null };
            target?.AddRange(units);
        }

        config = new HevcConfig(
            GeneralProfileSpace: (byte)(data[1] >> 6),
            GeneralTierFlag: (data[1] & 0x20) != 0,
            GeneralProfileIdc: (byte)(data[1] & 0x1F),
            GeneralProfileCompatibilityFlags: BinaryPrimitives.ReadUInt32BigEndian(data[2..]),
            GeneralLevelIdc: data[12],
            ChromaFormat: data[16] & 0x03,
            BitDepthLuma: (data[17] & 0x07) + 8,
            BitDepthChroma: (data[18] & 0x07) + 8,
            NalLengthSize: (data[21] & 0x03) + 1,
            vps,
            sps,
            pps);
        return true;
    }
}
