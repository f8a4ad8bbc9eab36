using Platform.Media.Codecs;

namespace Platform.Media.Ts;

/// <summary>
/// The 7-byte ADTS header without CRC (ISO/IEC 14496-3 1.A.2.2): MPEG-4 id, profile = AAC object type - 1,
/// sampling frequency index, channel configuration, frame length (header included), buffer fullness 0x7FF
/// (variable rate), one raw data block. HE-AAC is written as its AAC core (decoders find SBR/PS implicitly).
/// </summary>
public static class AdtsHeader
{
    public const int Length = 7;

    /// <summary>The 13-bit frame_length field bounds header plus raw frame.</summary>
    public const int MaxFrameLength = 0x1FFF;

    /// <summary>
    /// True when ADTS can carry the configuration: a core object type of 1-4 (Main, LC, SSR, LTP), a
    /// tabled frequency index (not the explicit one) and a channel configuration of 1-7 (not a PCE).
    /// </summary>
    public static bool CanDescribe(in AacConfig config) =>
        config.CoreObjectType is >= 1 and <= 4
        && config.SamplingFrequencyIndex is >= 0 and < 13
        && config.ChannelConfiguration is >= 1 and <= 7;

    /// <summary>Writes the header for a raw frame of <paramref name="rawLength"/> bytes.</summary>
    public static void Write(Span<byte> destination, in AacConfig config, int rawLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(rawLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rawLength, MaxFrameLength - Length);
        if (!CanDescribe(config))
        {
            throw new ArgumentException("ADTS cannot describe this AudioSpecificConfig.", nameof(config));
        }

        var profile = config.CoreObjectType - 1;
        var frequency = config.SamplingFrequencyIndex;
        var channels = config.ChannelConfiguration;
        var frameLength = rawLength + Length;
        destination[0] = 0xFF;
        destination[1] = 0xF1; // sync, MPEG-4, layer 0, protection absent
        destination[2] = (byte)((profile << 6) | (frequency << 2) | (channels >> 2));
        destination[3] = (byte)(((channels & 3) << 6) | (frameLength >> 11));
        destination[4] = (byte)(frameLength >> 3);
        destination[5] = (byte)(((frameLength & 7) << 5) | 0x1F);
        destination[6] = 0xFC;
    }
}
