namespace Platform.Media.Codecs;

/// <summary>
/// An AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1). <see cref="ObjectType"/> is the signalled one
/// (5 for HE-AAC, 29 for HE-AAC v2); <see cref="CoreObjectType"/> is the underlying AAC object type.
/// </summary>
public readonly record struct AacConfig(
    int ObjectType,
    int CoreObjectType,
    int SamplingFrequencyIndex,
    int SampleRate,
    int ChannelConfiguration,
    bool SbrPresent,
    bool PsPresent,
    int ExtensionSampleRate)
{
    /// <summary>"Main", "LC", "SSR", "LTP", "HE", "HEv2" or "Other".</summary>
    public string ProfileName => CodecNames.AacProfile(ObjectType);

    /// <summary>The decoded output rate: the SBR extension rate when present, else the core rate.</summary>
    public int OutputSampleRate => ExtensionSampleRate != 0 ? ExtensionSampleRate : SampleRate;

    /// <summary>
    /// Output channels: configurations 1-6 as is, 7 is 7.1 (8 channels), 0 means a program config element
    /// (reported as 0); parametric stereo turns a mono core into stereo.
    /// </summary>
    public int OutputChannels => ChannelConfiguration switch
    {
        1 when PsPresent => 2,
        >= 1 and <= 6 => ChannelConfiguration,
        7 => 8,
        11 => 7,
        12 or 14 => 8,
        13 => 24,
        _ => 0,
    };
}

public static class AacAudioSpecificConfig
{
    private static ReadOnlySpan<int> SampleRates =>
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>Parses the leading fields of an AudioSpecificConfig; false on garbage, never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out AacConfig config)
    {
        config = default;
        var r = new BitReader(data);
        var objectType = ReadObjectType(ref r);
        var frequencyIndex = (int)r.ReadBits(4);
        var sampleRate = ReadFrequency(ref r, frequencyIndex);
        var channels = (int)r.ReadBits(4);
        var coreObjectType = objectType;
        var extensionRate = 0;
        var sbr = false;
        var ps = false;
        if (objectType is 5 or 29)
        {
            // Explicit hierarchical signalling: the extension rate, then the core object type.
            sbr = true;
            ps = objectType == 29;
            extensionRate = ReadFrequency(ref r, (int)r.ReadBits(4));
            coreObjectType = ReadObjectType(ref r);
            if (coreObjectType is 5 or 29 || extensionRate == 0)
            {
                return false;
            }
        }

        if (r.Failed || objectType == 0 || sampleRate == 0)
        {
            return false;
        }

        config = new AacConfig(
            objectType, coreObjectType, frequencyIndex, sampleRate, channels, sbr, ps, extensionRate);
        return true;
    }

    private static int ReadObjectType(ref BitReader r)
    {
        var objectType = (int)r.ReadBits(5);
        return objectType == 31 ? 32 + (int)r.ReadBits(6) : objectType;
    }

    /// <summary>The rate for an index, reading the explicit 24-bit rate for index 15; 0 when reserved.</summary>
    private static int ReadFrequency(ref BitReader r, int index) => index switch
    {
        15 => (int)r.ReadBits(24),
        < 13 => SampleRates[index],
        _ => 0,
    };
}
