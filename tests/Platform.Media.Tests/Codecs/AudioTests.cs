using Platform.Media.Codecs;

namespace Platform.Media.Tests.Codecs;

public class AudioTests
{
    [Fact]
    public void Aac_lc_sequence_header_tag()
    {
        Assert.True(AudioTag.TryParse(Samples.AacLc44100StereoTag, out var tag));
        Assert.Equal(new AudioTagInfo(AudioCodec.Aac, 10, 3, true, true, true, 0, 2), tag);
        Assert.Equal(44100, tag.SampleRate);
        Assert.True(AacAudioSpecificConfig.TryParse(Samples.AacLc44100StereoTag.AsSpan(2), out var aac));
        Assert.Equal(new AacConfig(2, 2, 4, 44100, 2, false, false, 0), aac);
        Assert.Equal("LC", aac.ProfileName);
        Assert.Equal(new AudioCodecInfo("AAC", 44100, 2, "LC"), CodecInfoParser.FromAudioTag(Samples.AacLc44100StereoTag));
    }

    [Fact]
    public void He_aac_reports_the_sbr_rate()
    {
        Assert.True(AacAudioSpecificConfig.TryParse(Samples.HeAacConfig, out var aac));
        Assert.Equal(new AacConfig(5, 2, 7, 22050, 2, true, false, 44100), aac);
        Assert.Equal(("HE", 44100, 2), (aac.ProfileName, aac.OutputSampleRate, aac.OutputChannels));
        Assert.Equal(new AudioCodecInfo("AAC", 44100, 2, "HE"), CodecInfoParser.FromAudioTag([0xAF, 0x00, .. Samples.HeAacConfig]));
    }

    [Fact]
    public void He_aac_v2_parametric_stereo_is_stereo()
    {
        Assert.True(AacAudioSpecificConfig.TryParse(Samples.HeAacV2Config, out var aac));
        Assert.Equal(new AacConfig(29, 2, 7, 22050, 1, true, true, 44100), aac);
        Assert.Equal(("HEv2", 44100, 2), (aac.ProfileName, aac.OutputSampleRate, aac.OutputChannels));
    }

    [Fact]
    public void Escaped_object_type_and_explicit_frequency()
    {
        Assert.True(AacAudioSpecificConfig.TryParse(Samples.EscapedObjectTypeConfig, out var aac));
        Assert.Equal((42, 44100, 2, "Other"), (aac.ObjectType, aac.SampleRate, aac.ChannelConfiguration, aac.ProfileName));

        Assert.True(AacAudioSpecificConfig.TryParse(Samples.ExplicitFrequencyConfig, out aac));
        Assert.Equal((2, 15, 48000, 1), (aac.ObjectType, aac.SamplingFrequencyIndex, aac.SampleRate, aac.ChannelConfiguration));
    }

    [Theory]
    [InlineData(1, "Main")]
    [InlineData(3, "SSR")]
    [InlineData(4, "LTP")]
    public void Other_profile_names(int objectType, string expected) =>
        Assert.Equal(expected, new AacConfig(objectType, objectType, 4, 44100, 2, false, false, 0).ProfileName);

    [Fact]
    public void Bad_aac_configs_are_rejected()
    {
        Assert.False(AacAudioSpecificConfig.TryParse([], out _));
        Assert.False(AacAudioSpecificConfig.TryParse([0x12], out _)); // cut inside the channel configuration
        Assert.False(AacAudioSpecificConfig.TryParse([0x16, 0x90], out _)); // frequency index 13 is reserved
        Assert.False(AacAudioSpecificConfig.TryParse([0x00, 0x10], out _)); // object type 0
        Assert.False(AacAudioSpecificConfig.TryParse(Samples.HeAacConfig.AsSpan(0, 2), out _));
        Assert.Null(CodecInfoParser.FromAudioTag([0xAF, 0x01, 0x21, 0x10])); // raw AAC frame, not a header
    }

    [Fact]
    public void Mp3_tag()
    {
        Assert.True(AudioTag.TryParse(Samples.Mp3Stereo44100Tag, out var tag));
        Assert.Equal(new AudioTagInfo(AudioCodec.Mp3, 2, 3, true, true, false, 0, 1), tag);
        Assert.True(MpegAudioHeader.TryParse(Samples.Mp3Stereo44100Tag.AsSpan(1), out var mp3));
        Assert.Equal(new Mp3Info(MpegAudioVersion.Mpeg1, 3, 128, 44100, 2, false, false, 1152, 417), mp3);
        Assert.Equal(new AudioCodecInfo("MP3", 44100, 2, ""), CodecInfoParser.FromAudioTag(Samples.Mp3Stereo44100Tag));
    }

    [Fact]
    public void Mpeg2_and_25_headers()
    {
        // Hand-built: FF F3 = MPEG-2 layer III without CRC; 0x80 = 64 kbit/s, 22050 Hz; 0xC0 = mono.
        Assert.True(MpegAudioHeader.TryParse([0xFF, 0xF3, 0x80, 0xC0], out var mp3));
        Assert.Equal(new Mp3Info(MpegAudioVersion.Mpeg2, 3, 64, 22050, 1, false, false, 576, 208), mp3);

        // FF E2 = MPEG-2.5 layer III with CRC; 0x1A = 8 kbit/s, 8000 Hz, padding; 0x00 = stereo.
        Assert.True(MpegAudioHeader.TryParse([0xFF, 0xE2, 0x1A, 0x00], out mp3));
        Assert.Equal((MpegAudioVersion.Mpeg25, 8, 8000, true, true, 2), (mp3.Version, mp3.Bitrate, mp3.SampleRate, mp3.HasCrc, mp3.Padding, mp3.Channels));

        // MPEG-1 layer I, 448 kbit/s, 48000 Hz: 12 * 448000 / 48000 = 112 slots of 4 bytes.
        Assert.True(MpegAudioHeader.TryParse([0xFF, 0xFF, 0xE4, 0x00], out mp3));
        Assert.Equal((1, 448, 48000, 448, 384), (mp3.Layer, mp3.Bitrate, mp3.SampleRate, mp3.FrameLength, mp3.SamplesPerFrame));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90 })] // too short
    [InlineData(new byte[] { 0xFF, 0xEB, 0x90, 0x64 })] // version 01 reserved
    [InlineData(new byte[] { 0xFF, 0xF9, 0x90, 0x64 })] // layer 00 reserved
    [InlineData(new byte[] { 0xFF, 0xFB, 0xF0, 0x64 })] // bitrate index 15
    [InlineData(new byte[] { 0xFF, 0xFB, 0x9C, 0x64 })] // sample rate index 3
    [InlineData(new byte[] { 0xFF, 0x1B, 0x90, 0x64 })] // no sync
    public void Bad_mpeg_headers(byte[] header) => Assert.False(MpegAudioHeader.TryParse(header, out _));

    [Fact]
    public void Other_audio_formats()
    {
        Assert.True(AudioTag.TryParse([0x3E, 0x00], out var tag)); // linear PCM little endian, 44 kHz, 16 bit, mono
        Assert.Equal((AudioCodec.Other, 3, false, 1), (tag.Codec, tag.SoundFormat, tag.IsStereo, tag.DataOffset));
        Assert.True(AudioTag.TryParse([0xE2], out tag));
        Assert.Equal((AudioCodec.Mp3, 8000), (tag.Codec, tag.SampleRate));
        Assert.False(AudioTag.TryParse([], out _));
        Assert.False(AudioTag.TryParse([0xAF], out _));
        Assert.Null(CodecInfoParser.FromAudioTag([0x3E, 0x00]));
    }
}
