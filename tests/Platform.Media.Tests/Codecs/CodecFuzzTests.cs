using Platform.Media.Codecs;

namespace Platform.Media.Tests.Codecs;

/// <summary>Deterministic random, mutated and truncated inputs: the codec parsers must never throw.</summary>
public class CodecFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        Samples.AvcHigh31_720pTag,
        Samples.AvcHighScalingMatrix720pTag,
        Samples.AvcHigh444_1080pTag,
        Samples.AvcInterlaced1080Tag,
        Samples.LegacySequenceHeader(VideoTag.LegacyHevcCodecId, Samples.HevcMain31_720pHvcC),
        Samples.EnhancedSequenceStart("hvc1", Samples.HevcMain10_480pHvcC),
        Samples.EnhancedSequenceStart("av01", Samples.Av1Main720pAv1C),
        Samples.EnhancedSequenceStart("vp09", Samples.Vp9Profile0VpcC),
        Samples.AacLc44100StereoTag,
        [0xAF, 0x00, .. Samples.HeAacV2Config],
        Samples.Mp3Stereo44100Tag,
    ];

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240607);
        for (var i = 0; i < 4000; i++)
        {
            var data = new byte[random.Next(0, 80)];
            random.NextBytes(data);
            if (i % 4 == 0 && data.Length > 0)
            {
                data[0] = (byte)(i % 8 == 0 ? 0x17 : 0x90); // steer half of them into the AVC / enhanced paths
            }

            ParseEverything(data);
        }
    }

    [Fact]
    public void Mutated_and_truncated_real_headers_never_throw()
    {
        var random = new Random(7);
        foreach (var seed in Seeds)
        {
            for (var length = 0; length <= seed.Length; length++)
            {
                ParseEverything(seed[..length]);
            }

            for (var i = 0; i < 500; i++)
            {
                var data = (byte[])seed.Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                ParseEverything(data);
            }
        }
    }

    [Fact]
    public void Pathological_exp_golomb_runs_fail_cleanly()
    {
        // An SPS of zero bits makes ue(v) run past 32 leading zeros; long runs of 0xFF give tiny values.
        Assert.False(H264Sps.TryParse([0x67, 0x64, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], out _));
        Assert.False(HevcSps.TryParse([0x42, 0x01, .. new byte[40]], out _));
        ParseEverything([0x67, .. Enumerable.Repeat((byte)0xFF, 600)]); // longer than the stack buffer
        ParseEverything([0x42, 0x01, .. Enumerable.Repeat((byte)0x00, 600)]);
    }

    private static void ParseEverything(byte[] data)
    {
        CodecInfoParser.FromVideoSequenceHeader(data);
        CodecInfoParser.FromAudioTag(data);
        VideoTag.TryParse(data, out _);
        AudioTag.TryParse(data, out _);
        AvcDecoderConfigurationRecord.TryParse(data, out _);
        HevcDecoderConfigurationRecord.TryParse(data, out _);
        Av1CodecConfigurationRecord.TryParse(data, out _);
        VpCodecConfigurationRecord.TryParse(data, out _);
        AacAudioSpecificConfig.TryParse(data, out _);
        MpegAudioHeader.TryParse(data, out _);
        H264Sps.TryParse(data, out _);
        HevcSps.TryParse(data, out _);
        if (data.Length > 0)
        {
            // Also as NAL units of the right type, so the SPS parsers get past their first check.
            H264Sps.TryParse([0x67, .. data], out _);
            HevcSps.TryParse([0x42, 0x01, .. data], out _);
            Av1CodecConfigurationRecord.TryParse([0x81, .. data], out _);
        }
    }
}
