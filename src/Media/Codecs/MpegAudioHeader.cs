using System.Buffers.Binary;

namespace Platform.Media.Codecs;

public enum MpegAudioVersion
{
    Mpeg1,
    Mpeg2,
    Mpeg25,
}

/// <summary>
/// An MPEG audio frame header. <see cref="Bitrate"/> is in kbit/s (0 for free format, whose
/// <see cref="FrameLength"/> is then 0 too).
/// </summary>
public readonly record struct Mp3Info(
    MpegAudioVersion Version,
    int Layer,
    int Bitrate,
    int SampleRate,
    int Channels,
    bool HasCrc,
    bool Padding,
    int SamplesPerFrame,
    int FrameLength);

/// <summary>Parses the 4-byte MPEG-1/2/2.5 audio frame header (ISO/IEC 11172-3 2.4.1.3).</summary>
public static class MpegAudioHeader
{
    public const int Length = 4;

    // Rows: V1 L1, V1 L2, V1 L3, V2/2.5 L1, V2/2.5 L2 and L3; 15 indexes each (index 15 is invalid).
    private static ReadOnlySpan<short> Bitrates =>
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
    ];

    private static ReadOnlySpan<int> Mpeg1Rates => [44100, 48000, 32000];

    public static bool TryParse(ReadOnlySpan<byte> data, out Mp3Info info)
    {
        info = default;
        if (data.Length < Length)
        {
            return false;
        }

        var header = BinaryPrimitives.ReadUInt32BigEndian(data);
        if ((header >> 21) != 0x7FF)
        {
            return false;
        }

        var versionBits = (int)(header >> 19) & 3;
        var layerBits = (int)(header >> 17) & 3;
        var bitrateIndex = (int)(header >> 12) & 0xF;
        var rateIndex = (int)(header >> 10) & 3;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex == 15 || rateIndex == 3)
        {
            return false;
        }

        var version = versionBits switch { 3 => MpegAudioVersion.Mpeg1, 2 => MpegAudioVersion.Mpeg2, _ => MpegAudioVersion.Mpeg25 };
        var layer = 4 - layerBits;
        var row = version == MpegAudioVersion.Mpeg1 ? layer - 1 : (layer == 1 ? 3 : 4);
        var bitrate = Bitrates[(row * 15) + bitrateIndex];
        var sampleRate = Mpeg1Rates[rateIndex] >> (int)version; // MPEG-2 halves, MPEG-2.5 quarters
        var padding = ((header >> 9) & 1) != 0;
        var channels = ((header >> 6) & 3) == 3 ? 1 : 2;
        var samples = layer switch
        {
            1 => 384,
            2 => 1152,
            _ => version == MpegAudioVersion.Mpeg1 ? 1152 : 576,
        };

        // Layer I counts 4-byte slots; layers II and III count bytes.
        var frameLength = bitrate == 0
            ? 0
            : layer == 1
                ? ((12 * bitrate * 1000 / sampleRate) + (padding ? 1 : 0)) * 4
                : (samples / 8 * bitrate * 1000 / sampleRate) + (padding ? 1 : 0);
        info = new Mp3Info(version, layer, bitrate, sampleRate, channels, ((header >> 16) & 1) == 0, padding, samples, frameLength);
        return true;
    }
}
