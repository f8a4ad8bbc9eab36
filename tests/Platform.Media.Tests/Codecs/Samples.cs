namespace Platform.Media.Tests.Codecs;

/// <summary>
/// Real codec headers, produced once by hand with ffmpeg 5.1 (Debian 12: libx264 164, libx265 3.5, libaom,
/// libvpx, native aac, libmp3lame) and pasted as hex. H.264 and audio come from the first tags of an FLV
/// (<c>ffmpeg -f lavfi -i testsrc=size=WxH:rate=25 -t 0.2 -c:v libx264 ... out.flv</c>); HEVC, AV1 and VP9
/// from the hvcC / av1C / vpcC box of an MP4 (ffmpeg 5.1's FLV muxer has no HEVC). Hand-written values
/// (HE-AAC, escape object types, MPEG-2 audio) are built from the field layout, noted where used.
/// </summary>
internal static class Samples
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>Video tag: <c>-c:v libx264 -profile:v high -level 3.1 -pix_fmt yuv420p</c>, 1280x720.</summary>
    public static readonly byte[] AvcHigh31_720pTag = Hex(
        "17000000000164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800");

    /// <summary>Video tag: <c>-profile:v main -level 4.0</c>, 1920x1080 (coded as 1088 rows, cropped by 8).</summary>
    public static readonly byte[] AvcMain40_1080pTag = Hex(
        "1700000000014d4028ffe1001a674d4028eca03c0113f2e022000003000200000300641e30632c01000568ebe3cb20");

    /// <summary>Video tag: <c>-profile:v baseline -level 3.0</c>, 640x360 (368 rows cropped by 8).</summary>
    public static readonly byte[] AvcBaseline30_360pTag = Hex(
        "17000000000142c01effe100196742c01ed900a02ff97011000003000100000300320f162e4801000568cb83cb20");

    /// <summary>Video tag: <c>-profile:v high -level 3.1 -x264-params cqm=jvt</c> (SPS with scaling matrices).</summary>
    public static readonly byte[] AvcHighScalingMatrix720pTag = Hex(
        "17000000000164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000768ebe3cb3002c0fdf8f800");

    /// <summary>Video tag: <c>-pix_fmt yuv444p</c>, 1920x1080 (High 4:4:4 Predictive, chroma_format_idc 3).</summary>
    public static readonly byte[] AvcHigh444_1080pTag = Hex(
        "170000000001f40028ffe1001b67f40028919b280f0044fc4e0220000003002000000641e30632c001000668ebe3c44844fff8f800");

    /// <summary>Video tag: <c>-x264-params interlaced=1</c>, 1920x1080 (frame_mbs_only_flag 0).</summary>
    public static readonly byte[] AvcInterlaced1080Tag = Hex(
        "170000000001640028ffe1001a67640028acd94078044fde0220000003002000000643e2c5b2c001000668fba3cb22c0fdf8f800");

    /// <summary>
    /// hvcC of <c>-c:v libx265 -profile:v main -tag:v hvc1 out.mp4</c>, 1280x720, Main, level 3.1. The SEI
    /// array with x265's option string was cut off (numOfArrays 4 -> 3).
    /// </summary>
    public static readonly byte[] HevcMain31_720pHvcC = Hex(
        "0101600000009000000000005df000fcfdf8f800000f03" +
        "a00001001840010c01ffff01600000030090000003000003005d959809" +
        "a10001002b42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003210" +
        "a2000100074401c172b46240");

    /// <summary>
    /// hvcC of <c>-profile:v main10 -pix_fmt yuv420p10le</c>, 854x480 (coded 856 wide, conformance window
    /// right offset 1 in chroma units), Main10, level 3. SEI array cut off as above.
    /// </summary>
    public static readonly byte[] HevcMain10_480pHvcC = Hex(
        "0102200000009000000000005af000fcfdfafa00000f03" +
        "a00001001840010c01ffff02200000030090000003000003005a959809" +
        "a10001002c42010102200000030090000003000003005aa006b201e1d6d96566924caf016808000003000800000300c840" +
        "a2000100074401c172b46240");

    /// <summary>SPS NAL of <c>-x265-params temporal-layers=1</c>, 1280x720: sps_max_sub_layers_minus1 = 1.</summary>
    public static readonly byte[] HevcTwoSubLayersSps = Hex(
        "42010201600000030090000003000003005d0000a00280802d1659598acd24995e02d0100000030010000003019080");

    /// <summary>av1C of <c>-c:v libaom-av1 -cpu-used 8</c>, 1280x720: Main, seq_level_idx 5 (3.1).</summary>
    public static readonly byte[] Av1Main720pAv1C = Hex("81050c000a0b0000002d4cffb3ccaf9004");

    /// <summary>vpcC box body (version 1 + flags, then the record) of <c>-c:v libvpx-vp9</c>, 640x360: profile 0, level 2.1.</summary>
    public static readonly byte[] Vp9Profile0VpcC = Hex("010000000015820202020000");

    /// <summary>Audio tag: <c>-c:a aac -ac 2</c> at 44100 Hz: AAC LC stereo (AudioSpecificConfig 12 10).</summary>
    public static readonly byte[] AacLc44100StereoTag = Hex("af001210");

    /// <summary>Hand-built explicit HE-AAC: object type 5, core 22050 Hz stereo, SBR 44100 Hz, core type 2.</summary>
    public static readonly byte[] HeAacConfig = Hex("2b920800");

    /// <summary>Hand-built explicit HE-AAC v2: object type 29, core 22050 Hz mono (+PS), SBR 44100 Hz, core type 2.</summary>
    public static readonly byte[] HeAacV2Config = Hex("eb8a0800");

    /// <summary>Hand-built: escaped object type 31 + 10 = 42, 44100 Hz, stereo.</summary>
    public static readonly byte[] EscapedObjectTypeConfig = Hex("f94840");

    /// <summary>Hand-built: AAC LC, frequency index 15 with explicit 48000 Hz, mono.</summary>
    public static readonly byte[] ExplicitFrequencyConfig = Hex("17805dc008");

    /// <summary>Audio tag: <c>-c:a libmp3lame -b:a 128k</c>, 44100 Hz stereo; MPEG-1 layer III header FF FB 90 64.</summary>
    public static readonly byte[] Mp3Stereo44100Tag = Hex("2ffffb9064");

    /// <summary>
    /// The first 410 bytes of <c>ffmpeg -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i sine -ac 2
    /// -t 0.2 -c:v libx264 -profile:v high -level 3.1 -c:a aac out.flv</c>: file header, onMetaData, the AVC
    /// sequence header and the AAC sequence header.
    /// </summary>
    public static readonly byte[] FfmpegFlvStart = Hex(
        "464c5601050000000900000000120001250000000000000002000a6f6e4d65746144617461080000000d000864757261" +
        "74696f6e003fd1eb851eb851ec000577696474680040940000000000000006686569676874004086800000000000000d" +
        "766964656f646174617261746500000000000000000000096672616d6572617465004039000000000000000c76696465" +
        "6f636f646563696400401c000000000000000d617564696f646174617261746500405f400000000000000f617564696f" +
        "73616d706c65726174650040e5888000000000000f617564696f73616d706c6573697a65004030000000000000000673" +
        "746572656f0101000c617564696f636f64656369640040240000000000000007656e636f64657202000d4c6176663539" +
        "2e32372e313030000866696c6573697a650040ca20000000000000000900000130090000340000000000000017000000" +
        "000164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800" +
        "0000003f0800000700000000000000af00121056e50000000012");

    /// <summary>A legacy tag header for <paramref name="codecId"/> followed by <paramref name="record"/>.</summary>
    public static byte[] LegacySequenceHeader(byte codecId, byte[] record) => [(byte)(0x10 | codecId), 0, 0, 0, 0, .. record];

    /// <summary>An enhanced RTMP keyframe SequenceStart for <paramref name="fourCc"/> followed by <paramref name="record"/>.</summary>
    public static byte[] EnhancedSequenceStart(string fourCc, byte[] record) =>
        [0x90, .. System.Text.Encoding.ASCII.GetBytes(fourCc), .. record];
}
