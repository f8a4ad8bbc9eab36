namespace Platform.Media.Codecs;

/// <summary>What the server needs from an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1).</summary>
public readonly record struct H264SpsInfo(
    byte ProfileIdc,
    byte ConstraintFlags,
    byte LevelIdc,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    bool FrameMbsOnly,
    int Width,
    int Height)
{
    /// <summary>"Baseline", "Main", "High", "High10", ... (SRS names).</summary>
    public string ProfileName => CodecNames.H264Profile(ProfileIdc);

    /// <summary>"3.1", "4", "1b", ... (SRS names).</summary>
    public string LevelName => CodecNames.H264Level(ProfileIdc, ConstraintFlags, LevelIdc);
}

/// <summary>Parses an H.264 SPS NAL unit (with its one-byte NAL header) up to the frame cropping.</summary>
public static class H264Sps
{
    private const int MaxMbs = 2048; // 32768 pixels on a side: far above level 6.2

    public static bool TryParse(ReadOnlySpan<byte> nal, out H264SpsInfo info)
    {
        info = default;
        if (nal.Length < 4 || (nal[0] & 0x80) != 0 || (nal[0] & 0x1F) != 7)
        {
            return false;
        }

        return Rbsp.TryParse(nal, 1, TryParseRbsp, out info);
    }

    private static bool TryParseRbsp(ref BitReader r, out H264SpsInfo info)
    {
        info = default;
        var profileIdc = (byte)r.ReadBits(8);
        var constraintFlags = (byte)r.ReadBits(8);
        var levelIdc = (byte)r.ReadBits(8);
        r.ReadUe(31); // seq_parameter_set_id

        var chromaFormatIdc = 1;
        var separateColourPlane = false;
        int bitDepthLuma = 8, bitDepthChroma = 8;
        if (HasChromaInfo(profileIdc))
        {
            chromaFormatIdc = r.ReadUe(3);
            if (chromaFormatIdc == 3)
            {
                separateColourPlane = r.ReadBit();
            }

            bitDepthLuma = 8 + r.ReadUe(6);
            bitDepthChroma = 8 + r.ReadUe(6);
            r.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (r.ReadBit() && !SkipScalingMatrix(ref r, chromaFormatIdc == 3 ? 12 : 8))
            {
                return false;
            }
        }

        r.ReadUe(12); // log2_max_frame_num_minus4
        var picOrderCntType = r.ReadUe(2);
        if (picOrderCntType == 0)
        {
            r.ReadUe(12); // log2_max_pic_order_cnt_lsb_minus4
        }
        else if (picOrderCntType == 1)
        {
            r.ReadBit(); // delta_pic_order_always_zero_flag
            r.ReadSe(); // offset_for_non_ref_pic
            r.ReadSe(); // offset_for_top_to_bottom_field
            var cycle = r.ReadUe(255);
            for (var i = 0; i < cycle && !r.Failed; i++)
            {
                r.ReadSe(); // offset_for_ref_frame[i]
            }
        }

        r.ReadUe(); // max_num_ref_frames
        r.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        var widthMbs = r.ReadUe(MaxMbs - 1) + 1;
        var heightMapUnits = r.ReadUe(MaxMbs - 1) + 1;
        var frameMbsOnly = r.ReadBit();
        if (!frameMbsOnly)
        {
            r.ReadBit(); // mb_adaptive_frame_field_flag
        }

        r.ReadBit(); // direct_8x8_inference_flag
        int cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.ReadBit())
        {
            cropLeft = r.ReadUe(MaxMbs * 16);
            cropRight = r.ReadUe(MaxMbs * 16);
            cropTop = r.ReadUe(MaxMbs * 16);
            cropBottom = r.ReadUe(MaxMbs * 16);
        }

        if (r.Failed)
        {
            return false;
        }

        // Table 6-1 and equations 7-19 to 7-22.
        var chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        var frameHeightFactor = frameMbsOnly ? 1 : 2;
        var cropUnitX = chromaArrayType is 1 or 2 ? 2 : 1;
        var cropUnitY = (chromaArrayType == 1 ? 2 : 1) * frameHeightFactor;
        var width = (widthMbs * 16) - (cropUnitX * (cropLeft + cropRight));
        var height = (heightMapUnits * 16 * frameHeightFactor) - (cropUnitY * (cropTop + cropBottom));
        if (width <= 0 || height <= 0)
        {
            return false;
        }

        info = new H264SpsInfo(
            profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, bitDepthChroma, frameMbsOnly,
            width, height);
        return true;
    }

    /// <summary>Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices.</summary>
    private static bool HasChromaInfo(byte profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    private static bool SkipScalingMatrix(ref BitReader r, int listCount)
    {
        for (var i = 0; i < listCount && !r.Failed; i++)
        {
            if (r.ReadBit())
            {
                SkipScalingList(ref r, i < 6 ? 16 : 64);
            }
        }

        return !r.Failed;
    }

    // 7.3.2.1.1.1 scaling_list(): deltas are read until nextScale becomes 0.
    private static void SkipScalingList(ref BitReader r, int size)
    {
        var lastScale = 8;
        var nextScale = 8;
        for (var j = 0; j < size && !r.Failed; j++)
        {
            if (nextScale != 0)
            {
                var delta = r.ReadSe();
                if (delta is < -128 or > 127)
                {
                    r.Fail();
                    return;
                }

                nextScale = (int)((lastScale + delta + 256) % 256);
            }

            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }
}
