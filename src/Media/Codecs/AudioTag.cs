namespace Platform.Media.Codecs;

public enum AudioCodec
{
    Other,
    Aac,
    Mp3,
}

/// <summary>
/// The header of an FLV/RTMP audio tag. <see cref="SoundFormat"/> is the raw format number (10 AAC,
/// 2 MP3, 14 MP3 8 kHz, ...); <see cref="SampleRate"/> is the nominal rate of <see cref="RateIndex"/>
/// (AAC always signals 44 kHz here: its real rate is in the AudioSpecificConfig).
/// </summary>
public readonly record struct AudioTagInfo(
    AudioCodec Codec,
    byte SoundFormat,
    byte RateIndex,
    bool Is16Bit,
    bool IsStereo,
    bool IsSequenceHeader,
    byte AacPacketType,
    int DataOffset)
{
    public int SampleRate => SoundFormat == 14 ? 8000 : RateIndex switch { 0 => 5512, 1 => 11025, 2 => 22050, _ => 44100 };
}

/// <summary>Parses the legacy FLV audio tag header.</summary>
public static class AudioTag
{
    public const byte AacFormat = 10;
    public const byte Mp3Format = 2;
    public const byte Mp3Format8Khz = 14;

    /// <summary>False when the payload is too short for its header; other formats are reported as Other.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out AudioTagInfo info)
    {
        info = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        var b = payload[0];
        var format = (byte)(b >> 4);
        var rate = (byte)((b >> 2) & 3);
        var is16Bit = (b & 0x02) != 0;
        var stereo = (b & 0x01) != 0;
        if (format == AacFormat)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            info = new AudioTagInfo(AudioCodec.Aac, format, rate, is16Bit, stereo, payload[1] == 0, payload[1], 2);
            return true;
        }

        var codec = format is Mp3Format or Mp3Format8Khz ? AudioCodec.Mp3 : AudioCodec.Other;
        info = new AudioTagInfo(codec, format, rate, is16Bit, stereo, false, 0, 1);
        return true;
    }
}
