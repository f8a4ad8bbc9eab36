using Platform.Media.Codecs;
using Platform.Media.Tests.Codecs;
using Platform.Media.Ts;
using static Platform.Media.Tests.Ts.TsFrames;

namespace Platform.Media.Tests.Ts;

public class TsVideoTests
{
    private static readonly byte[] Sps = Samples.Hex("6764001facd9405005bb011000000300100000030320f1831960");
    private static readonly byte[] Pps = Samples.Hex("68ebe3cb22c0");
    private static readonly byte[] AvcAud = [0x09, 0xF0];
    private static readonly byte[] HevcAud = [0x46, 0x01, 0x50];

    [Fact]
    public void Keyframe_start_matches_ffmpeg_but_for_the_pcr()
    {
        var muxer = AvcMuxer();
        var packet = Video(muxer, 1400, Avc(true, 80, Nal(400, 0x65, 0x88)))[..188];
        var ffmpeg = TsGolden.FfmpegFirstVideoPacketStart;
        Assert.Equal(ffmpeg[..6], packet[..6]); // header, adaptation_field_length 7, flags RAI + PCR
        Assert.Equal(Samples.Hex("0000f6187e00"), packet[6..12]); // PCR = DTS 126000 (ffmpeg: DTS - 0.7 s)
        Assert.Equal(ffmpeg[12..], packet[12..ffmpeg.Length]); // PES header: PTS 1.48 s, DTS 1.4 s
        Assert.Equal(AnnexB(AvcAud, Sps, Pps), packet[ffmpeg.Length..(ffmpeg.Length + 46)]);
    }

    [Fact]
    public void Keyframe_is_annex_b_with_aud_and_parameter_sets()
    {
        var muxer = AvcMuxer();
        var sei = Nal(30, 0x06);
        var idr = Nal(1000, 0x65);
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 40, Avc(true, 40, sei, idr))));
        Assert.Equal((TsMuxer.VideoPid, (byte)0xE0, 0), (pes.Pid, pes.StreamId, pes.DeclaredLength));
        Assert.Equal((7200L, (long?)3600, true, (long?)3600), (pes.Pts, pes.Dts, pes.RandomAccess, pes.Pcr));
        Assert.Equal(AnnexB(AvcAud, Sps, Pps, sei, idr), pes.Data);
    }

    [Fact]
    public void Inter_frame_has_no_parameter_sets_nor_random_access_and_only_a_pts_when_equal()
    {
        var muxer = AvcMuxer();
        var slice = Nal(500, 0x41);
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 1000, Avc(false, 0, slice))));
        Assert.Equal((90000L, (long?)null, false, (long?)90000), (pes.Pts, pes.Dts, pes.RandomAccess, pes.Pcr));
        Assert.Equal(AnnexB(AvcAud, slice), pes.Data);
    }

    [Fact]
    public void Input_aud_and_empty_units_are_dropped_and_in_band_parameter_sets_not_repeated()
    {
        var muxer = AvcMuxer();
        var ownSps = Nal(12, 0x67);
        var ownPps = Nal(5, 0x68);
        var idr = Nal(300, 0x65);
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 0, Avc(true, 0, [0x09, 0x10], [], ownSps, ownPps, idr))));
        Assert.Equal(AnnexB(AvcAud, ownSps, ownPps, idr), pes.Data);
    }

    [Fact]
    public void Enhanced_avc1_coded_frames_x_has_no_composition_time()
    {
        var muxer = new TsMuxer();
        Assert.True(muxer.SetVideoSequenceHeader(
            Samples.EnhancedSequenceStart("avc1", Samples.AvcHigh31_720pTag[5..])));
        var idr = Nal(64, 0x65);
        byte[] body = [0x93, .. "avc1"u8, .. LengthPrefixed(4, idr)];
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 2000, body)));
        Assert.Equal((180000L, (long?)null), (pes.Pts, pes.Dts));
        Assert.Equal(AnnexB(AvcAud, Sps, Pps, idr), pes.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Hevc_keyframe_gets_aud_vps_sps_pps_from_a_hand_built_hvcC(bool enhanced)
    {
        var muxer = new TsMuxer();
        var header = enhanced
            ? Samples.EnhancedSequenceStart("hvc1", HandBuiltHvcC)
            : Samples.LegacySequenceHeader(VideoTag.LegacyHevcCodecId, HandBuiltHvcC);
        Assert.True(muxer.SetVideoSequenceHeader(header));
        Assert.Equal(VideoCodec.Hevc, muxer.VideoCodec);

        var idr = Nal(700, 0x26, 0x01); // IDR_W_RADL
        var trail = Nal(90, 0x02, 0x01); // TRAIL_R
        var inputAud = new byte[] { 0x46, 0x01, 0x10 };
        var key = enhanced ? EnhancedHevc(true, 33, inputAud, idr) : LegacyHevc(true, 33, inputAud, idr);
        var inter = enhanced ? EnhancedHevc(false, 0, trail) : LegacyHevc(false, 0, trail);
        var keyPes = Assert.Single(TsTestReader.Pes(Video(muxer, 100, key)));
        Assert.Equal(AnnexB(HevcAud, HevcVpsNal, HevcSpsNal, HevcPpsNal, idr), keyPes.Data);
        Assert.Equal((11970L, (long?)9000, true), (keyPes.Pts, keyPes.Dts, keyPes.RandomAccess));
        var interPes = Assert.Single(TsTestReader.Pes(Video(muxer, 133, inter)));
        Assert.Equal(AnnexB(HevcAud, trail), interPes.Data);
        Assert.False(interPes.RandomAccess);
    }

    [Theory]
    [InlineData(335, 1)] // the last packet needs one stuffing byte: adaptation_field_length 0
    [InlineData(334, 2)] // two: length 1 and a flags byte
    [InlineData(336, 0)] // exactly full
    public void Last_packet_is_stuffed_through_the_adaptation_field(int nalLength, int stuffing)
    {
        // First packet: 8 bytes of adaptation field (PCR), 14 of PES header, 6 of AUD: 24 + n bytes in 176 + 183.
        var muxer = AvcMuxer();
        var nal = Nal(nalLength, 0x41);
        var ts = Video(muxer, 0, Avc(false, 0, nal));
        Assert.Equal(2 * 188, ts.Length);
        var last = TsTestReader.Packets(ts)[1];
        Assert.Equal(stuffing, last.AdaptationLength);
        if (stuffing > 0)
        {
            Assert.Equal(0x30, ts[188 + 3] & 0x30);
            Assert.Equal(stuffing - 1, ts[188 + 4]);
        }

        if (stuffing > 1)
        {
            Assert.Equal(0, ts[188 + 5]); // no flags
        }

        Assert.Equal(AnnexB(AvcAud, nal), Assert.Single(TsTestReader.Pes(ts)).Data);
    }

    [Fact]
    public void Timestamps_wrap_at_33_bits()
    {
        var muxer = AvcMuxer();
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 95443718, Avc(false, 0, Nal(10, 0x41)))));
        Assert.Equal((28L, (long?)28), (pes.Pts, pes.Pcr)); // 95443718 * 90 - 2^33
    }

    [Fact]
    public void Negative_composition_time_wraps_the_pts()
    {
        var muxer = AvcMuxer();
        var pes = Assert.Single(TsTestReader.Pes(Video(muxer, 0, Avc(false, -40, Nal(10, 0x41)))));
        Assert.Equal(((1L << 33) - 3600, (long?)0), (pes.Pts, pes.Dts));
    }

    [Fact]
    public void Frames_that_are_not_coded_video_of_the_configured_codec_write_nothing()
    {
        var unconfigured = new TsMuxer();
        Assert.Empty(Video(unconfigured, 0, Avc(true, 0, Nal(10, 0x65)), expected: false));

        var muxer = AvcMuxer();
        Assert.Empty(Video(muxer, 0, Samples.AvcHigh31_720pTag, expected: false)); // sequence header
        Assert.Empty(Video(muxer, 0, [0x17, 0x02, 0, 0, 0], expected: false)); // end of sequence
        Assert.Empty(Video(muxer, 0, [0x57, 0x00], expected: false)); // command frame
        Assert.Empty(Video(muxer, 0, [0x12, 0x00, 0x00], expected: false)); // Sorenson H.263
        Assert.Empty(Video(muxer, 0, [0x91, .. "av01"u8, 0x12, 0x00], expected: false)); // AV1
        Assert.Empty(Video(muxer, 0, LegacyHevc(true, 0, Nal(10, 0x26, 0x01)), expected: false)); // not the configured codec
        Assert.Empty(Video(muxer, 0, Avc(true, 0), expected: false)); // no NAL units
        Assert.Empty(Video(muxer, 0, [0x17, 1, 0, 0, 0, 0, 0, 0, 9, 0x65], expected: false)); // length past the end
        Assert.Empty(Video(muxer, 0, [0x17, 1, 0, 0, 0, 0, 0], expected: false)); // truncated length
        Assert.Empty(Video(muxer, 0, [], expected: false));
    }

    private static TsMuxer AvcMuxer()
    {
        var muxer = new TsMuxer();
        Assert.True(muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag));
        return muxer;
    }
}
