using Platform.Media.Codecs;

namespace Platform.Media.Tests.Codecs;

public class HevcTests
{
    [Fact]
    public void Main_720p_hvcC()
    {
        Assert.True(HevcDecoderConfigurationRecord.TryParse(Samples.HevcMain31_720pHvcC, out var hvcc));
        Assert.Equal((0, false, 1, 93), (hvcc.GeneralProfileSpace, hvcc.GeneralTierFlag, hvcc.GeneralProfileIdc, hvcc.GeneralLevelIdc));
        Assert.Equal(0x60000000u, hvcc.GeneralProfileCompatibilityFlags);
        Assert.Equal((1, 8, 8, 4), (hvcc.ChromaFormat, hvcc.BitDepthLuma, hvcc.BitDepthChroma, hvcc.NalLengthSize));
        Assert.Equal((1, 1, 1), (hvcc.Vps.Count, hvcc.Sps.Count, hvcc.Pps.Count));
        Assert.Equal(("Main", "3.1"), (hvcc.ProfileName, hvcc.LevelName));

        Assert.True(HevcSps.TryParse(hvcc.Sps[0], out var sps));
        Assert.Equal(new HevcSpsInfo(0, false, 1, 0x60000000, 93, 1, 1, 8, 8, 1280, 720), sps);
        Assert.Equal(("Main", "3.1"), (sps.ProfileName, sps.LevelName));
    }

    [Fact]
    public void Main10_with_conformance_window()
    {
        Assert.True(HevcDecoderConfigurationRecord.TryParse(Samples.HevcMain10_480pHvcC, out var hvcc));
        Assert.True(HevcSps.TryParse(hvcc.Sps[0], out var sps));
        Assert.Equal((854, 480), (sps.Width, sps.Height));
        Assert.Equal((10, 10), (sps.BitDepthLuma, sps.BitDepthChroma));
        Assert.Equal(("Main10", "3"), (sps.ProfileName, sps.LevelName));
    }

    [Fact]
    public void Sps_with_sub_layers()
    {
        Assert.True(HevcSps.TryParse(Samples.HevcTwoSubLayersSps, out var sps));
        Assert.Equal(2, sps.MaxSubLayers);
        Assert.Equal((1280, 720, "Main", "3.1"), (sps.Width, sps.Height, sps.ProfileName, sps.LevelName));
    }

    [Fact]
    public void Legacy_id_12_and_enhanced_hvc1_sequence_headers()
    {
        var expected = new VideoCodecInfo("H265", "Main", "3.1", 1280, 720);
        var legacy = Samples.LegacySequenceHeader(VideoTag.LegacyHevcCodecId, Samples.HevcMain31_720pHvcC);
        Assert.Equal(expected, CodecInfoParser.FromVideoSequenceHeader(legacy));

        var enhanced = Samples.EnhancedSequenceStart("hvc1", Samples.HevcMain31_720pHvcC);
        Assert.True(VideoTag.TryParse(enhanced, out var info));
        Assert.Equal(
            new VideoTagInfo(VideoCodec.Hevc, 1, 0, true, true, false, false, true, 0, 5),
            info);
        Assert.Equal(expected, CodecInfoParser.FromVideoSequenceHeader(enhanced));
        Assert.Equal(
            new VideoCodecInfo("H265", "Main10", "3", 854, 480),
            CodecInfoParser.FromVideoSequenceHeader(Samples.EnhancedSequenceStart("hvc1", Samples.HevcMain10_480pHvcC)));
    }

    [Fact]
    public void Truncated_hvcC_is_rejected()
    {
        for (var length = 0; length < Samples.HevcMain31_720pHvcC.Length; length++)
        {
            Assert.False(HevcDecoderConfigurationRecord.TryParse(Samples.HevcMain31_720pHvcC.AsSpan(0, length), out _), $"prefix {length}");
        }
    }

    [Theory]
    [InlineData(93, "3.1")]
    [InlineData(120, "4")]
    [InlineData(123, "4.1")]
    [InlineData(153, "5.1")]
    [InlineData(186, "6.2")]
    public void Level_names(byte levelIdc, string expected) =>
        Assert.Equal(expected, new HevcSpsInfo(0, false, 1, 0, levelIdc, 1, 1, 8, 8, 16, 16).LevelName);

    [Fact]
    public void Profile_from_compatibility_flags_when_idc_is_zero() =>
        Assert.Equal(2, HevcSps.EffectiveProfileIdc(0, 0x20000000));
}
