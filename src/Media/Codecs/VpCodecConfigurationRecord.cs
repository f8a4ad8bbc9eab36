namespace Platform.Media.Codecs;

/// <summary>
/// A VPCodecConfigurationRecord ("vpcC", the enhanced RTMP vp09 SequenceStart payload). It carries no
/// picture size.
/// </summary>
public readonly record struct VpConfig(int Profile, int Level, int BitDepth, int ChromaSubsampling, bool FullRange)
{
    public string ProfileName => CodecNames.Vp9Profile(Profile);

    public string LevelName => CodecNames.Vp9Level(Level);
}

public static class VpCodecConfigurationRecord
{
    private const int RecordLength = 8; // profile, level, bit depth and chroma, 3 colour bytes, init data size

    public static bool TryParse(ReadOnlySpan<byte> data, out VpConfig config)
    {
        config = default;

        // Some writers keep the "vpcC" FullBox's version 1 and zero flags in front of the record.
        if (data.Length >= 4 + RecordLength && data[0] == 1 && data[1] == 0 && data[2] == 0 && data[3] == 0)
        {
            data = data[4..];
        }

        if (data.Length < RecordLength)
        {
            return false;
        }

        var bitDepth = data[2] >> 4;
        if (data[0] > 3 || bitDepth is not (8 or 10 or 12))
        {
            return false;
        }

        config = new VpConfig(data[0], data[1], bitDepth, (data[2] >> 1) & 0x07, (data[2] & 0x01) != 0);
        return true;
    }
}
