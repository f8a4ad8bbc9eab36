using Platform.Media.Codecs;

namespace Platform.Media.Tests.Codecs;

public class H264Tests
{
    public static TheoryData<string, string, string, int, int, string> AvcSamples => new()
    {
        { nameof(Samples.AvcHigh31_720pTag), "High", "3.1", 1280, 720, "avc1.64001f" },
        { nameof(Samples.AvcMain40_1080pTag), "Main", "4", 1920, 1080, "avc1.4d4028" },
        { nameof(Samples.AvcBaseline30_360pTag), "Baseline", "3", 640, 360, "avc1.42c01e" },
        { nameof(Samples.AvcHighScalingMatrix720pTag), "High", "3.1", 1280, 720, "avc1.64001f" },
        { nameof(Samples.AvcHigh444_1080pTag), "High444", "4", 1920, 1080, "avc1.f40028" },
        { nameof(Samples.AvcInterlaced1080Tag), "High", "4", 1920, 1080, "avc1.640028" },
    };

    [Theory]
    [MemberData(nameof(AvcSamples))]
    public void Real_sequence_headers_give_profile_level_and_cropped_size(
        string sample, string profile, string level, int width, int height, string rfc6381)
    {
        var tag = SampleBytes(sample);
        Assert.True(VideoTag.TryParse(tag, out var info));
        Assert.True(AvcDecoderConfigurationRecord.TryParse(tag.AsSpan(info.DataOffset), out var avc));
        Assert.Single(avc.Sps);
        Assert.Single(avc.Pps);
        Assert.Equal(4, avc.NalLengthSize);
        Assert.True(H264Sps.TryParse(avc.Sps[0], out var sps));
        Assert.Equal(avc.Profile, sps.ProfileIdc);
        Assert.Equal(avc.Level, sps.LevelIdc);
        Assert.Equal((profile, level, width, height), (sps.ProfileName, sps.LevelName, sps.Width, sps.Height));
        Assert.Equal(new VideoCodecInfo("H264", profile, level, width, height) { Rfc6381 = rfc6381 }, CodecInfoParser.FromVideoSequenceHeader(tag));
    }

    [Fact]
    public void High_720p_fields()
    {
        Assert.True(AvcDecoderConfigurationRecord.TryParse(Samples.AvcHigh31_720pTag.AsSpan(5), out var avc));
        Assert.Equal((100, 0, 31), (avc.Profile, avc.ProfileCompatibility, avc.Level));
        Assert.Equal(Samples.Hex("6764001facd9405005bb011000000300100000030320f1831960"), avc.Sps[0]);
        Assert.Equal(Samples.Hex("68ebe3cb22c0"), avc.Pps[0]);
        Assert.True(H264Sps.TryParse(avc.Sps[0], out var sps));
        Assert.Equal(new H264SpsInfo(100, 0, 31, 1, 8, 8, true, 1280, 720), sps);
    }

    [Fact]
    public void Interlaced_and_444_details()
    {
        Assert.True(AvcDecoderConfigurationRecord.TryParse(Samples.AvcInterlaced1080Tag.AsSpan(5), out var avc));
        Assert.True(H264Sps.TryParse(avc.Sps[0], out var sps));
        Assert.False(sps.FrameMbsOnly);

        Assert.True(AvcDecoderConfigurationRecord.TryParse(Samples.AvcHigh444_1080pTag.AsSpan(5), out avc));
        Assert.True(H264Sps.TryParse(avc.Sps[0], out sps));
        Assert.Equal(3, sps.ChromaFormatIdc);
    }

    [Theory]
    [InlineData(66, 0x00, 11, "1.1")]
    [InlineData(66, 0x10, 11, "1b")]
    [InlineData(100, 0x10, 11, "1.1")]
    [InlineData(100, 0x00, 9, "1b")]
    [InlineData(100, 0x00, 52, "5.2")]
    [InlineData(77, 0x00, 30, "3")]
    public void Level_names(byte profile, byte constraints, byte level, string expected) =>
        Assert.Equal(expected, new H264SpsInfo(profile, constraints, level, 1, 8, 8, true, 16, 16).LevelName);

    [Fact]
    public void Emulation_prevention_bytes_are_removed()
    {
        // The 720p SPS contains "00 00 03 00 10 00 00 03": parsing it requires removing both 03 bytes,
        // which the golden tests cover. Here: a non-SPS NAL and a too-short one are rejected.
        Assert.False(H264Sps.TryParse([0x68, 0xEB, 0xE3, 0xCB], out _));
        Assert.False(H264Sps.TryParse([0x67, 0x64], out _));
        Assert.False(H264Sps.TryParse([0xE7, 0x64, 0x00, 0x1F, 0xAC], out _)); // forbidden_zero_bit
    }

    [Fact]
    public void Avc_record_bounds_are_checked()
    {
        var record = Samples.AvcHigh31_720pTag.AsSpan(5).ToArray();
        const int PpsEnd = 43; // then 4 bytes of High profile extension (chroma format, bit depths)
        for (var length = 0; length < PpsEnd; length++)
        {
            // Every prefix that cuts a parameter set short is rejected.
            var ok = AvcDecoderConfigurationRecord.TryParse(record.AsSpan(0, length), out _);
            Assert.False(ok, $"prefix {length}");
        }

        record[0] = 2;
        Assert.False(AvcDecoderConfigurationRecord.TryParse(record, out _));
    }

    internal static byte[] SampleBytes(string name) =>
        (byte[])typeof(Samples).GetField(name, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)!
            .GetValue(null)!;
}
