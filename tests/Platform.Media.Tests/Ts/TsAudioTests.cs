using Platform.Media.Codecs;
using Platform.Media.Tests.Codecs;
using Platform.Media.Ts;
using static Platform.Media.Tests.Ts.TsFrames;

namespace Platform.Media.Tests.Ts;

public class TsAudioTests
{
    [Fact]
    public void Adts_header_for_aac_lc_44100_stereo()
    {
        Assert.True(AacAudioSpecificConfig.TryParse([0x12, 0x10], out var config));
        var header = new byte[7];
        AdtsHeader.Write(header, config, 100);
        // FFF1: sync, MPEG-4, no CRC; 0x50: profile 1 (LC), index 4 (44100); channels 2; frame length 107; fullness 0x7FF.
        Assert.Equal(Samples.Hex("fff150800d7ffc"), header);
    }

    [Fact]
    public void Adts_header_of_he_aac_describes_its_core()
    {
        Assert.True(AacAudioSpecificConfig.TryParse(Samples.HeAacConfig, out var config));
        var header = new byte[7];
        AdtsHeader.Write(header, config, 0);
        Assert.Equal(Samples.Hex("fff15c8000fffc"), header); // LC, index 7 (22050), stereo, length 7
    }

    [Fact]
    public void Audio_only_aac_packet_golden()
    {
        var muxer = new TsMuxer();
        Assert.True(muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag));
        byte[] raw = [0x21, 0x10, 0x04, 0x60, 0x8C, 0x1C, 0x01, 0x02, 0x03, 0x04];
        var packet = Audio(muxer, 0, [0xAF, 0x01, .. raw]);
        byte[] expected =
        [
            0x47, 0x41, 0x01, 0x30, // unit start, PID 0x101, adaptation field and payload, counter 0
            0x98, 0x50, 0x00, 0x00, 0x00, 0x00, 0x7E, 0x00, // 153-byte field: random access + PCR 0
            .. Enumerable.Repeat((byte)0xFF, 145),
            0x00, 0x00, 0x01, 0xC0, 0x00, 0x19, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01, // PES, PTS 0
            0xFF, 0xF1, 0x50, 0x80, 0x02, 0x3F, 0xFC, // ADTS, frame length 17
            .. raw,
        ];
        Assert.Equal(expected, packet);
    }

    [Fact]
    public void Aac_with_video_has_no_pcr_and_states_its_length()
    {
        var muxer = new TsMuxer();
        muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        var raw = Nal(400, 0x21);
        var pes = Assert.Single(TsTestReader.Pes(Audio(muxer, 23, [0xAF, 0x01, .. raw])));
        Assert.Equal((TsMuxer.AudioPid, (byte)0xC0, 8 + 7 + 400), (pes.Pid, pes.StreamId, pes.DeclaredLength));
        Assert.Equal((2070L, (long?)null, (long?)null, false), (pes.Pts, pes.Dts, pes.Pcr, pes.RandomAccess));
        Assert.Equal(Samples.Hex("fff1508032fffc"), pes.Data[..7]);
        Assert.Equal(raw, pes.Data[7..]);
    }

    [Fact]
    public void Mp3_frames_go_as_they_are_and_configure_mp3_with_fresh_tables()
    {
        var muxer = new TsMuxer();
        muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
        TsTablesTests.Tables(muxer);
        byte[] frame = [.. Samples.Mp3Stereo44100Tag[1..], .. Nal(413, 0)[4..]];
        var ts = Audio(muxer, 26, [0x2F, .. frame]);
        Assert.Equal(AudioCodec.Mp3, muxer.AudioCodec);
        var packets = TsTestReader.Packets(ts);
        Assert.Equal([0, TsMuxer.PmtPid, TsMuxer.AudioPid, TsMuxer.AudioPid, TsMuxer.AudioPid], packets.Select(p => p.Pid));
        Assert.Equal(0xC3, ts[188 + 10]); // PMT version 1: the audio stream was added
        Assert.Equal(TsStreamType.Mpeg1Audio, ts[188 + 22]);
        var pes = Assert.Single(TsTestReader.Pes(ts));
        Assert.Equal(2340L, pes.Pts);
        Assert.Equal(frame, pes.Data);

        // Once configured, MP3 frames are written without tables.
        Assert.Equal(TsMuxer.AudioPid, Assert.Single(TsTestReader.Packets(Audio(muxer, 52, [0x2F, .. frame[..100]]))).Pid);
    }

    [Fact]
    public void Frames_that_are_not_audio_of_the_configured_codec_write_nothing()
    {
        var unconfigured = new TsMuxer();
        Assert.Empty(Audio(unconfigured, 0, [0xAF, 0x01, 0x21, 0x00], expected: false)); // AAC before its config
        Assert.Empty(Audio(unconfigured, 0, [0x2F, 0x00, 0x00, 0x00, 0x00], expected: false)); // MP3 without a frame header
        Assert.False(unconfigured.HasAudio);

        var muxer = new TsMuxer();
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        Assert.Empty(Audio(muxer, 0, Samples.AacLc44100StereoTag, expected: false)); // sequence header
        Assert.Empty(Audio(muxer, 0, [0xAF, 0x01], expected: false)); // empty frame
        Assert.Empty(Audio(muxer, 0, [0xAF, 0x01, .. new byte[8185]], expected: false)); // too long for ADTS
        Assert.Empty(Audio(muxer, 0, [0x2F, .. Samples.Mp3Stereo44100Tag[1..]], expected: false)); // not the configured codec
        Assert.Empty(Audio(muxer, 0, [0x6F, 0x00], expected: false)); // Speex
        Assert.Empty(Audio(muxer, 0, [], expected: false));
        Assert.NotEmpty(Audio(muxer, 0, [0xAF, 0x01, .. new byte[8184]]));
    }
}
