namespace Platform.Media.Codecs;

/// <summary>
/// Turns a sequence header tag (or an MP3 tag) into the API's codec summary. Never throws: anything it
/// cannot read gives null.
/// </summary>
public static class CodecInfoParser
{
    /// <summary>
    /// From a video tag payload holding a sequence header: legacy AVC (7), legacy HEVC (12) or enhanced
    /// RTMP avc1, hvc1, av01 or vp09 SequenceStart.
    /// </summary>
    public static VideoCodecInfo? FromVideoSequenceHeader(ReadOnlySpan<byte> tagPayload)
    {
        if (!VideoTag.TryParse(tagPayload, out var tag) || !tag.IsSequenceHeader)
        {
            return null;
        }

        var record = tagPayload[tag.DataOffset..];
        return tag.Codec switch
        {
            VideoCodec.Avc => FromAvc(record),
            VideoCodec.Hevc => FromHevc(record),
            VideoCodec.Av1 => Av1CodecConfigurationRecord.TryParse(record, out var av1)
                ? new VideoCodecInfo("AV1", av1.ProfileName, av1.LevelName, av1.Width, av1.Height)
                : null,
            VideoCodec.Vp9 => VpCodecConfigurationRecord.TryParse(record, out var vp9)
                ? new VideoCodecInfo("VP9", vp9.ProfileName, vp9.LevelName, 0, 0)
                : null,
            _ => null,
        };
    }

    /// <summary>From an audio tag payload: an AAC sequence header, or an MP3 tag's frame header.</summary>
    public static AudioCodecInfo? FromAudioTag(ReadOnlySpan<byte> tagPayload)
    {
        if (!AudioTag.TryParse(tagPayload, out var tag))
        {
            return null;
        }

        var data = tagPayload[tag.DataOffset..];
        if (tag.Codec == AudioCodec.Aac)
        {
            return tag.IsSequenceHeader && AacAudioSpecificConfig.TryParse(data, out var aac)
                ? new AudioCodecInfo("AAC", aac.OutputSampleRate, aac.OutputChannels, aac.ProfileName)
                : null;
        }

        if (tag.Codec == AudioCodec.Mp3)
        {
            return MpegAudioHeader.TryParse(data, out var mp3)
                ? new AudioCodecInfo("MP3", mp3.SampleRate, mp3.Channels, "")
                : null;
        }

        return null;
    }

    private static VideoCodecInfo? FromAvc(ReadOnlySpan<byte> record)
    {
        if (!AvcDecoderConfigurationRecord.TryParse(record, out var avc))
        {
            return null;
        }

        var rfc6381 = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"avc1.{avc.Profile:x2}{avc.ProfileCompatibility:x2}{avc.Level:x2}");
        if (avc.Sps.Count > 0 && H264Sps.TryParse(avc.Sps[0], out var sps))
        {
            return new VideoCodecInfo("H264", sps.ProfileName, sps.LevelName, sps.Width, sps.Height) { Rfc6381 = rfc6381 };
        }

        // No readable SPS: the record's own profile and level, size unknown.
        return new VideoCodecInfo(
            "H264",
            CodecNames.H264Profile(avc.Profile),
            CodecNames.H264Level(avc.Profile, avc.ProfileCompatibility, avc.Level),
            0,
            0)
        { Rfc6381 = rfc6381 };
    }

    private static VideoCodecInfo? FromHevc(ReadOnlySpan<byte> record)
    {
        if (!HevcDecoderConfigurationRecord.TryParse(record, out var hevc))
        {
            return null;
        }

        if (hevc.Sps.Count > 0 && HevcSps.TryParse(hevc.Sps[0], out var sps))
        {
            return new VideoCodecInfo("H265", sps.ProfileName, sps.LevelName, sps.Width, sps.Height);
        }

        return new VideoCodecInfo("H265", hevc.ProfileName, hevc.LevelName, 0, 0);
    }
}
