namespace Platform.Media.Codecs;

/// <summary>What the server needs from an H.265 sequence parameter set (ITU-T H.265 7.3.2.2).</summary>
public readonly record struct HevcSpsInfo(
    byte GeneralProfileSpace,
    bool GeneralTierFlag,
    byte GeneralProfileIdc,
    uint GeneralProfileCompatibilityFlags,
    byte GeneralLevelIdc,
    int MaxSubLayers,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    int Width,
    int Height)
{
    /// <summary>"Main", "Main10", ... (SRS names).</summary>
    public string ProfileName =>
        CodecNames.HevcProfile(HevcSps.EffectiveProfileIdc(GeneralProfileIdc, GeneralProfileCompatibilityFlags));

    /// <summary>general_level_idc / 30: "3.1", "4", ...</summary>
    public string LevelName => CodecNames.HevcLevel(GeneralLevelIdc);
}

/// <summary>Parses an H.265 SPS NAL unit (with its two-byte NAL header) up to the bit depths.</summary>
public static class HevcSps
{
    private const int MaxDimension = 16888 * 4; // far above level 6.2's 16888 luma samples a side

    public static bool TryParse(ReadOnlySpan<byte> nal, out HevcSpsInfo info)
    {
        info = default;
        if (nal.Length < 3 || (nal[0] & 0x80) != 0 || ((nal[0] >> 1) & 0x3F) != 33)
        {
            return false;
        }

        return Rbsp.TryParse(nal, 2, TryParseRbsp, out info);
    }

    /// <summary>
    /// general_profile_idc, or when a writer left it 0, the first profile its compatibility flags name.
    /// </summary>
    public static byte EffectiveProfileIdc(byte profileIdc, uint compatibilityFlags)
    {
        if (profileIdc != 0)
        {
            return profileIdc;
        }

        for (var j = 1; j < 32; j++)
        {
            if ((compatibilityFlags & (1u << (31 - j))) != 0)
            {
                return (byte)j;
            }
        }

        return 0;
    }

    private static bool TryParseRbsp(ref BitReader r, out HevcSpsInfo info)
    {
        info = default;
        r.ReadBits(4); // sps_video_parameter_set_id
        var maxSubLayersMinus1 = (int)r.ReadBits(3);
        r.ReadBit(); // sps_temporal_id_nesting_flag

        // profile_tier_level(1, sps_max_sub_layers_minus1), 7.3.3
        var profileSpace = (byte)r.ReadBits(2);
        var tier = r.ReadBit();
        var profileIdc = (byte)r.ReadBits(5);
        var compatibility = r.ReadBits(32);
        r.Skip(48); // progressive, interlaced, non-packed, frame-only and 44 constraint bits
        var levelIdc = (byte)r.ReadBits(8);
        Span<bool> profilePresent = stackalloc bool[8];
        Span<bool> levelPresent = stackalloc bool[8];
        for (var i = 0; i < maxSubLayersMinus1; i++)
        {
            profilePresent[i] = r.ReadBit();
            levelPresent[i] = r.ReadBit();
        }

        if (maxSubLayersMinus1 > 0)
        {
            r.Skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }

        for (var i = 0; i < maxSubLayersMinus1; i++)
        {
            r.Skip((profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
        }

        r.ReadUe(15); // sps_seq_parameter_set_id
        var chromaFormatIdc = r.ReadUe(3);
        var separateColourPlane = chromaFormatIdc == 3 && r.ReadBit();
        var width = r.ReadUe(MaxDimension);
        var height = r.ReadUe(MaxDimension);
        int left = 0, right = 0, top = 0, bottom = 0;
        if (r.ReadBit()) // conformance_window_flag
        {
            left = r.ReadUe(MaxDimension);
            right = r.ReadUe(MaxDimension);
            top = r.ReadUe(MaxDimension);
            bottom = r.ReadUe(MaxDimension);
        }

        var bitDepthLuma = 8 + r.ReadUe(8);
        var bitDepthChroma = 8 + r.ReadUe(8);
        if (r.Failed)
        {
            return false;
        }

        // Table 6-1: the conformance window is in chroma sample units.
        var chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        var subWidthC = chromaArrayType is 1 or 2 ? 2 : 1;
        var subHeightC = chromaArrayType == 1 ? 2 : 1;
        width -= subWidthC * (left + right);
        height -= subHeightC * (top + bottom);
        if (width <= 0 || height <= 0)
        {
            return false;
        }

        info = new HevcSpsInfo(
            profileSpace, tier, profileIdc, compatibility, levelIdc, maxSubLayersMinus1 + 1, chromaFormatIdc,
            bitDepthLuma, bitDepthChroma, width, height);
        return true;
    }
}
