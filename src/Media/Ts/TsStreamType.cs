namespace Platform.Media.Ts;

/// <summary>The PMT stream_type values used here (ISO/IEC 13818-1 table 2-34).</summary>
public static class TsStreamType
{
    /// <summary>ISO/IEC 11172-3 audio (MPEG-1 layers I-III).</summary>
    public const byte Mpeg1Audio = 0x03;

    /// <summary>ISO/IEC 13818-3 audio (MPEG-2 lower sampling rates, MPEG-2.5).</summary>
    public const byte Mpeg2Audio = 0x04;

    /// <summary>ISO/IEC 13818-7 AAC with ADTS transport.</summary>
    public const byte AacAdts = 0x0F;

    /// <summary>ITU-T H.264 / ISO/IEC 14496-10.</summary>
    public const byte H264 = 0x1B;

    /// <summary>ITU-T H.265 / ISO/IEC 23008-2.</summary>
    public const byte Hevc = 0x24;
}
