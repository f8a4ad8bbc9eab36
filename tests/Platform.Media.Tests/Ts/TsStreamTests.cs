using Platform.Media.Buffers;
using Platform.Media.Tests.Codecs;
using Platform.Media.Ts;
using static Platform.Media.Tests.Ts.TsFrames;

namespace Platform.Media.Tests.Ts;

public class TsStreamTests
{
    [Fact]
    public void Every_packet_is_188_bytes_with_sync_and_counters_go_up_per_pid()
    {
        var muxer = new TsMuxer();
        muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        var random = new Random(42);
        var expectedVideo = new List<byte[]>();
        var expectedAudio = new List<byte[]>();
        using var output = new PooledBufferWriter(64);
        muxer.WriteTables(output);
        for (var i = 0; i < 300; i++)
        {
            if (i % 100 == 0)
            {
                muxer.WriteTables(output);
            }

            var key = i % 25 == 0;
            var nal = Nal(1 + random.Next(6000), key ? (byte)0x65 : (byte)0x41);
            Assert.True(muxer.WriteVideo(output, (uint)(i * 40), Avc(key, 80, nal)));
            expectedVideo.Add(key
                ? AnnexB([0x09, 0xF0], Samples.Hex("6764001facd9405005bb011000000300100000030320f1831960"), Samples.Hex("68ebe3cb22c0"), nal)
                : AnnexB([0x09, 0xF0], nal));
            var raw = Nal(1 + random.Next(700), 0x21);
            Assert.True(muxer.WriteAudio(output, (uint)(i * 40) + 3, [0xAF, 0x01, .. raw]));
            expectedAudio.Add(raw);
        }

        var ts = output.WrittenSpan.ToArray();
        var packets = TsTestReader.Packets(ts); // asserts size, sync byte and counters
        Assert.Contains(packets, p => p.Pid == TsMuxer.VideoPid && p.Counter == 15);
        var pes = TsTestReader.Pes(ts);
        Assert.Equal(expectedVideo, pes.Where(p => p.Pid == TsMuxer.VideoPid).Select(p => p.Data));
        Assert.Equal(expectedAudio, pes.Where(p => p.Pid == TsMuxer.AudioPid).Select(p => p.Data[7..]));
        Assert.All(pes.Where(p => p.Pid == TsMuxer.VideoPid), p => Assert.Equal(p.Dts, p.Pcr));
        Assert.Equal(12, pes.Count(p => p.RandomAccess));
    }

    [Fact]
    public void With_counters_reset_per_segment_a_muxer_that_joined_later_writes_the_same_segment_bytes()
    {
        var random = new Random(7);
        var frames = Enumerable.Range(0, 75).Select(i => (
            Video: Avc(i % 25 == 0, 0, Nal(1 + random.Next(3000), i % 25 == 0 ? (byte)0x65 : (byte)0x41)),
            Audio: (byte[])[0xAF, 0x01, .. Nal(1 + random.Next(400), 0x21)])).ToArray();
        byte[] Segment(TsMuxer muxer, int from, int to, bool reset)
        {
            using var output = new PooledBufferWriter(64);
            if (reset)
            {
                muxer.ResetContinuityCounters();
            }

            muxer.WriteTables(output);
            for (var i = from; i < to; i++)
            {
                Assert.True(muxer.WriteVideo(output, (uint)(i * 40), frames[i].Video));
                Assert.True(muxer.WriteAudio(output, (uint)(i * 40) + 5, frames[i].Audio));
            }

            return output.WrittenSpan.ToArray();
        }

        static TsMuxer Configured()
        {
            var muxer = new TsMuxer();
            muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
            muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
            return muxer;
        }

        foreach (var reset in new[] { false, true })
        {
            // The early muxer wrote segments 0 and 1 before, the late one joined at segment 2.
            var early = Configured();
            var late = Configured();
            Segment(early, 0, 25, reset);
            Segment(early, 25, 50, reset);
            var fromEarly = Segment(early, 50, 75, reset);
            var fromLate = Segment(late, 50, 75, reset);
            if (reset)
            {
                Assert.Equal(fromEarly, fromLate);
                var packets = TsTestReader.Packets(fromEarly);
                Assert.All(packets.GroupBy(p => p.Pid), g =>
                {
                    // Each PID restarts at 0 and says so in its first packet, and only there.
                    Assert.Equal(0, g.First().Counter);
                    Assert.True(g.First().Discontinuity, $"PID 0x{g.Key:X}");
                    Assert.DoesNotContain(g.Skip(1), p => p.Discontinuity);
                });
                Assert.Equal([TsMuxer.PatPid, TsMuxer.VideoPid, TsMuxer.AudioPid, TsMuxer.PmtPid], packets.Select(p => p.Pid).Distinct().Order());

                // Behind the adaptation field, the tables and frames are what they are without the reset.
                Assert.Equal(TsGolden.FfmpegPat[4..], packets[0].Payload[..(TsGolden.FfmpegPat.Length - 4)]);
                Assert.Equal(TsGolden.FfmpegPmtH264Aac[4..], packets[1].Payload[..(TsGolden.FfmpegPmtH264Aac.Length - 4)]);
                var pes = TsTestReader.Pes(fromEarly);
                Assert.Equal(50, pes.Count);
                Assert.True(pes[0].RandomAccess);
                Assert.Equal(pes[0].Pts, pes[0].Pcr); // the keyframe, composition time 0
            }
            else
            {
                Assert.NotEqual(fromEarly, fromLate); // the counters carried over
            }
        }
    }

    [Fact]
    public void Muxing_frames_allocates_nothing()
    {
        var muxer = new TsMuxer();
        muxer.SetVideoSequenceHeader(Samples.AvcHigh31_720pTag);
        muxer.SetAudioSequenceHeader(Samples.AacLc44100StereoTag);
        var key = Avc(true, 80, Nal(20000, 0x65));
        var inter = Avc(false, 40, Nal(3000, 0x41), Nal(900, 0x41));
        byte[] aac = [0xAF, 0x01, .. Nal(300, 0x21)];
        using var output = new PooledBufferWriter(1 << 20);
        void MuxSome()
        {
            output.Clear();
            muxer.WriteTables(output);
            for (var i = 0u; i < 50; i++)
            {
                muxer.WriteVideo(output, i * 40, i % 25 == 0 ? key : inter);
                muxer.WriteAudio(output, i * 40, aac);
            }
        }

        MuxSome();
        var before = GC.GetAllocatedBytesForCurrentThread();
        MuxSome();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
