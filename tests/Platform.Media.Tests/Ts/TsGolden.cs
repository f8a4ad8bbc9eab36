using Platform.Media.Tests.Codecs;

namespace Platform.Media.Tests.Ts;

/// <summary>
/// Bytes from real ffmpeg 5.1 transport streams (<c>ffmpeg -f lavfi -i testsrc -f lavfi -i sine -t 1
/// -c:v libx264 -c:a aac -f mpegts x.ts</c>; ffmpeg puts its SDT at packet 0, the PAT at packet 1, the PMT at
/// packet 2), pasted as hex without the 0xFF padding that fills each packet to 188 bytes.
/// </summary>
internal static class TsGolden
{
    /// <summary>PAT: transport_stream_id 1, version 0, program 1 on PMT PID 0x1000, CRC 2AB104B2.</summary>
    public static readonly byte[] FfmpegPat = Samples.Hex("474000100000b00d0001c100000001f0002ab104b2");

    /// <summary>PMT of H.264 (0x1B on 0x100, also the PCR PID) and AAC ADTS (0x0F on 0x101), CRC 2F44B99B.</summary>
    public static readonly byte[] FfmpegPmtH264Aac = Samples.Hex("475000100002b0170001c10000e100f0001be100f0000fe101f0002f44b99b");

    /// <summary>
    /// The start of ffmpeg's first video packet: header (unit start, PID 0x100, counter 0), adaptation field
    /// (random access, PCR 63000 = 0.7 s), PES header with PTS 133200 (1.48 s) and DTS 126000 (1.4 s).
    /// </summary>
    public static readonly byte[] FfmpegFirstVideoPacketStart = Samples.Hex(
        "474100300750" + "00007b0c7e00" + "000001e0000080c00a31000910a1110007d861");

    /// <summary>Pads a PSI packet to 188 bytes with 0xFF as the muxer does.</summary>
    public static byte[] Padded(byte[] start) => [.. start, .. Enumerable.Repeat((byte)0xFF, 188 - start.Length)];

    /// <summary>A reference CRC-32/MPEG-2, bit by bit, independent of the table-driven one under test.</summary>
    public static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                var top = (crc >> 31) ^ (uint)((b >> bit) & 1);
                crc <<= 1;
                if (top != 0)
                {
                    crc ^= 0x04C11DB7;
                }
            }
        }

        return crc;
    }
}
