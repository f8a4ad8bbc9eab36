using Platform.Media.Buffers;
using Platform.Media.Codecs;
using Platform.Media.Tests.Codecs;
using Platform.Media.Ts;

namespace Platform.Media.Tests.Ts;

public class TsTablesTests
{
    [Fact]
    public void Crc_matches_the_catalogue_check_value_and_a_bitwise_reference()
    {
        Assert.Equal(0x0376E6E7u, Crc32Mpeg2.Compute("123456789"u8)); // CRC-32/MPEG-2 check value
        Assert.Equal(0x0376E6E7u, TsGolden.BitwiseCrc("123456789"u8));
        var random = new Random(7);
        var data = new byte[1000];
        random.NextBytes(data);
        for (var length = 0; length <= data.Length; length += 37)
        {
            Assert.Equal(TsGolden.BitwiseCrc(data.AsSpan(0, length)), Crc32Mpeg2.Compute(data.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Ffmpeg_sections_check_with_both_crcs()
    {
        // PAT section: bytes 5..21 (after header and pointer_field) incl. its CRC; a section with its CRC gives 0.
        Assert.Equal(0u, TsGolden.BitwiseCrc(TsGolden.FfmpegPat.AsSpan(5)));
        Assert.Equal(0x2AB104B2u, Crc32Mpeg2.Compute(TsGolden.FfmpegPat.AsSpan(5, 12)));
        Assert.Equal(0x2F44B99Bu, TsGolden.BitwiseCrc(TsGolden.FfmpegPmtH264Aac.AsSpan(5, 22)));
        Assert.Equal(0x2F44B99Bu, Crc32Mpeg2.Compute(TsGolden.FfmpegPmtH264Aac.AsSpan(5, 22)));
    }

    [Fact]
    public void Pat_and_pmt_for_h264_and_aac_equal_ffmpeg_bytes()
    {
        var muxer = new TsMuxer();
        Assert.True(muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag));
        Assert.True(muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag));
        var tables = Tables(muxer);
        Assert.Equal(376, tables.Length);
        Assert.Equal(TsGolden.Padded(TsGolden.FfmpegPat), tables[..188]);
        Assert.Equal(TsGolden.Padded(TsGolden.FfmpegPmtH264Aac), tables[188..]);
    }

    [Fact]
    public void Pmt_for_hevc_and_mp3()
    {
        var muxer = new TsMuxer();
        Assert.True(muxer.SetVideoSequenceHeader(Samples.LegacySequenceHeader(VideoTag.LegacyHevcCodecId, Samples.HevcMain31_720pHvcC)));
        Assert.True(muxer.SetAudioSequenceHeader(Samples.Mp3Stereo44100Tag));
        Assert.Equal((VideoCodec.Hevc, AudioCodec.Mp3), (muxer.VideoCodec, muxer.AudioCodec));
        var pmt = Tables(muxer)[188..];
        var section = Samples.Hex("02b0170001c10000e100f00024e100f00003e101f000");
        Assert.Equal(section, pmt[5..(5 + section.Length)]);
        Assert.Equal(TsGolden.BitwiseCrc(section), ReadUInt32(pmt, 5 + section.Length));
        Assert.All(pmt[(9 + section.Length)..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Mpeg2_audio_gets_stream_type_4_and_audio_only_puts_the_pcr_on_the_audio_pid()
    {
        var muxer = new TsMuxer();
        // MPEG-2 layer III, 22050 Hz: FF F3 (version bits 10), bitrate 64k, rate index 0.
        Assert.True(muxer.SetAudioSequenceHeader([0x2F, 0xFF, 0xF3, 0x80, 0xC4]));
        Assert.Equal(TsMuxer.AudioPid, muxer.PcrPid);
        var section = Samples.Hex("02b0120001c10000e101f00004e101f000");
        Assert.Equal(section, Tables(muxer)[(188 + 5)..(188 + 5 + section.Length)]);
    }

    [Fact]
    public void Pmt_without_streams_has_no_pcr_pid()
    {
        var section = Samples.Hex("02b00d0001c10000fffff000");
        Assert.Equal(section, Tables(new TsMuxer())[(188 + 5)..(188 + 5 + section.Length)]);
    }

    [Fact]
    public void Pmt_version_changes_only_when_a_written_pmt_goes_stale()
    {
        var muxer = new TsMuxer();
        muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        Assert.Equal(0, muxer.PmtVersion); // nothing written yet: the first PMT is version 0
        Tables(muxer);
        muxer.SetVideoSequenceHeader(Samples.AvcMain40_1080pTag); // same codec, new parameter sets
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        Assert.Equal(0, muxer.PmtVersion);
        muxer.SetAudioSequenceHeader(Samples.Mp3Stereo44100Tag);
        muxer.SetVideoSequenceHeader(Samples.LegacySequenceHeader(VideoTag.LegacyHevcCodecId, Samples.HevcMain31_720pHvcC));
        Assert.Equal(1, muxer.PmtVersion); // one bump until the next PMT is written
        Assert.Equal(0xC3, Tables(muxer)[188 + 10]);
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        Assert.Equal(2, muxer.PmtVersion);
    }

    [Fact]
    public void Table_counters_wrap_after_fifteen()
    {
        var muxer = new TsMuxer();
        using var output = new PooledBufferWriter();
        for (var i = 0; i < 40; i++)
        {
            muxer.WriteTables(output);
        }

        var packets = TsTestReader.Packets(output.WrittenSpan.ToArray()); // asserts +1 per PID
        Assert.Equal(80, packets.Count);
        Assert.Equal(39 & 15, packets[^1].Counter);
    }

    [Theory]
    [InlineData("afff")] // AAC raw frame, not a sequence header
    [InlineData("af00f8")] // truncated AudioSpecificConfig with escape object type
    [InlineData("af0017805dc008")] // explicit 48000 Hz frequency: ADTS has no index for it
    [InlineData("af001200")] // channel configuration 0 (PCE)
    [InlineData("6f00")] // Speex
    [InlineData("2f0000")] // MP3 tag without a frame header
    public void Unusable_audio_configuration_is_refused(string hex)
    {
        var muxer = new TsMuxer();
        Assert.False(muxer.SetAudioSequenceHeader(Samples.Hex(hex)));
        Assert.False(muxer.HasAudio);
    }

    [Fact]
    public void Unusable_video_configuration_is_refused()
    {
        var muxer = new TsMuxer();
        Assert.False(muxer.SetVideoSequenceHeader(Samples.EnhancedSequenceStart("av01", Samples.Av1Main720pAv1C)));
        Assert.False(muxer.SetVideoSequenceHeader(Samples.Hex("2701000000")));  // AVC NALUs, not a header
        Assert.False(muxer.SetVideoSequenceHeader(Samples.Hex("170000000001")));  // truncated avcC
        Assert.False(muxer.HasVideo);
        Assert.Equal(0, muxer.PmtVersion);
    }

    internal static byte[] Tables(TsMuxer muxer)
    {
        using var output = new PooledBufferWriter();
        muxer.WriteTables(output);
        return output.WrittenSpan.ToArray();
    }

    private static uint ReadUInt32(byte[] data, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
}
