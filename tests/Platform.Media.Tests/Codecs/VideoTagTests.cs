using Platform.Media.Codecs;

namespace Platform.Media.Tests.Codecs;

public class VideoTagTests
{
    [Theory]
    [InlineData("1700000000", VideoCodec.Avc, 1, 0, true, true, false, 0)]
    [InlineData("2701000050", VideoCodec.Avc, 2, 1, false, false, false, 80)]
    [InlineData("17010000fe", VideoCodec.Avc, 1, 1, true, false, false, 254)]
    [InlineData("2701ffff80", VideoCodec.Avc, 2, 1, false, false, false, -128)]
    [InlineData("1702000000", VideoCodec.Avc, 1, 2, true, false, true, 0)]
    [InlineData("1c01800000", VideoCodec.Hevc, 1, 1, true, false, false, -8388608)]
    public void Legacy_avc_and_hevc_headers(
        string hex, VideoCodec codec, int frameType, int packetType, bool key, bool sequenceHeader, bool end, int cts)
    {
        Assert.True(VideoTag.TryParse(Convert.FromHexString(hex), out var info));
        Assert.Equal(
            new VideoTagInfo(codec, (byte)frameType, (byte)packetType, key, sequenceHeader, end, false, false, cts, 5),
            info);
    }

    [Fact]
    public void Legacy_other_codecs_and_command_frames()
    {
        Assert.True(VideoTag.TryParse([0x12, 0xAA], out var info)); // Sorenson H.263 keyframe
        Assert.Equal(new VideoTagInfo(VideoCodec.Other, 1, 0, true, false, false, false, false, 0, 1), info);

        Assert.True(VideoTag.TryParse([0x57, 0x00], out info)); // AVC info/command frame: start of seek
        Assert.Equal(new VideoTagInfo(VideoCodec.Avc, 5, 0, false, false, false, true, false, 0, 1), info);
        Assert.False(VideoTag.TryParse([0x57], out _));
    }

    [Fact]
    public void Enhanced_headers()
    {
        // CodedFrames (1) for hvc1 carries an SI24 composition time.
        Assert.True(VideoTag.TryParse([0x91, .. "hvc1"u8, 0x00, 0x00, 0x28, 0xAB], out var info));
        Assert.Equal(new VideoTagInfo(VideoCodec.Hevc, 1, 1, true, false, false, false, true, 40, 8), info);

        // CodedFramesX (3): no composition time.
        Assert.True(VideoTag.TryParse([0xA3, .. "avc1"u8, 0xAB], out info));
        Assert.Equal(new VideoTagInfo(VideoCodec.Avc, 2, 3, false, false, false, false, true, 0, 5), info);

        // CodedFrames for av01 has no composition time (only AVC and HEVC have one).
        Assert.True(VideoTag.TryParse([0xA1, .. "av01"u8, 0x12], out info));
        Assert.Equal((VideoCodec.Av1, 0, 5), (info.Codec, info.CompositionTime, info.DataOffset));

        Assert.True(VideoTag.TryParse([0x92, .. "vp09"u8], out info));
        Assert.Equal((VideoCodec.Vp9, true, 5), (info.Codec, info.IsEndOfSequence, info.DataOffset));

        Assert.True(VideoTag.TryParse([0x94, .. "hvc1"u8, 0x02], out info)); // Metadata
        Assert.Equal((4, false, 5), (info.PacketType, info.IsSequenceHeader, info.DataOffset));

        Assert.True(VideoTag.TryParse([0x95, .. "av01"u8], out info)); // MPEG2TSSequenceStart
        Assert.Equal((5, VideoCodec.Av1), (info.PacketType, info.Codec));

        Assert.True(VideoTag.TryParse([0x90, .. "vvc1"u8], out info)); // unknown FourCC: passed through
        Assert.Equal((VideoCodec.Other, true), (info.Codec, info.IsSequenceHeader));

        Assert.True(VideoTag.TryParse([0xD1, 0x01], out info)); // command frame: no FourCC
        Assert.Equal((true, true, 1), (info.IsCommandFrame, info.IsEnhanced, info.DataOffset));
    }

    [Theory]
    [InlineData("")]
    [InlineData("17")]
    [InlineData("17000000")]
    [InlineData("1c00")]
    [InlineData("90687663")] // FourCC cut short
    [InlineData("91687663310000")] // CodedFrames cut inside the composition time
    [InlineData("9668766331")] // Multitrack (E-RTMP v2) is not handled
    [InlineData("9768766331")] // ModEx (E-RTMP v2) is not handled
    [InlineData("d1")]
    public void Too_short_or_unhandled_is_false(string hex) => Assert.False(VideoTag.TryParse(Convert.FromHexString(hex), out _));

    [Fact]
    public void Enhanced_avc1_sequence_start()
    {
        var tag = Samples.EnhancedSequenceStart("avc1", Samples.AvcHigh31_720pTag[5..]);
        Assert.Equal(new VideoCodecInfo("H264", "High", "3.1", 1280, 720) { Rfc6381 = "avc1.64001f" }, CodecInfoParser.FromVideoSequenceHeader(tag));
    }

    [Fact]
    public void Av1_and_vp9_sequence_starts()
    {
        Assert.True(Av1CodecConfigurationRecord.TryParse(Samples.Av1Main720pAv1C, out var av1));
        Assert.Equal(new Av1Config(0, 5, false, 8, false, 1280, 720), av1);
        Assert.Equal(
            new VideoCodecInfo("AV1", "Main", "3.1", 1280, 720),
            CodecInfoParser.FromVideoSequenceHeader(Samples.EnhancedSequenceStart("av01", Samples.Av1Main720pAv1C)));

        // Without configOBUs the size is unknown.
        Assert.Equal(
            new VideoCodecInfo("AV1", "Main", "3.1", 0, 0),
            CodecInfoParser.FromVideoSequenceHeader(Samples.EnhancedSequenceStart("av01", Samples.Av1Main720pAv1C[..4])));

        Assert.True(VpCodecConfigurationRecord.TryParse(Samples.Vp9Profile0VpcC, out var vp9));
        Assert.Equal(new VpConfig(0, 21, 8, 1, false), vp9);
        Assert.Equal(
            new VideoCodecInfo("VP9", "Profile0", "2.1", 0, 0),
            CodecInfoParser.FromVideoSequenceHeader(Samples.EnhancedSequenceStart("vp09", Samples.Vp9Profile0VpcC[4..])));
    }

    [Fact]
    public void Not_a_sequence_header_gives_null()
    {
        Assert.Null(CodecInfoParser.FromVideoSequenceHeader([0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x65]));
        Assert.Null(CodecInfoParser.FromVideoSequenceHeader([0x12, 0x00]));
        Assert.Null(CodecInfoParser.FromVideoSequenceHeader([]));
    }

    [Fact]
    public void Avc_record_without_readable_sps_keeps_profile_and_level()
    {
        // avcC with one 4-byte SPS whose body is cut: profile 77, level 40 from the record itself.
        byte[] tag = [0x17, 0, 0, 0, 0, 0x01, 0x4D, 0x40, 0x28, 0xFF, 0xE1, 0x00, 0x04, 0x67, 0x4D, 0x40, 0x28, 0x00];
        Assert.Equal(new VideoCodecInfo("H264", "Main", "4", 0, 0) { Rfc6381 = "avc1.4d4028" }, CodecInfoParser.FromVideoSequenceHeader(tag));
    }
}
