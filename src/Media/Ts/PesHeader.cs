namespace Platform.Media.Ts;

/// <summary>The PES packet header (ISO/IEC 13818-1 2.4.3.6) with a PTS, or a PTS and a DTS.</summary>
internal static class PesHeader
{
    public const int MaxLength = 19;
    public const byte VideoStreamId = 0xE0;
    public const byte AudioStreamId = 0xC0;

    /// <summary>Mask of the 33-bit 90 kHz clock.</summary>
    public const long ClockMask = 0x1_FFFF_FFFF;

    /// <summary>Milliseconds to the 33-bit 90 kHz clock (wrapping, negative values included).</summary>
    public static long ToClock(long milliseconds) => (milliseconds * 90) & ClockMask;

    /// <summary>
    /// Writes the header; the DTS is left out when it equals the PTS. PES_packet_length is 0 (unbounded, as
    /// video in a transport stream may be) when <paramref name="unbounded"/> or when it does not fit 16 bits.
    /// Returns the header length.
    /// </summary>
    public static int Write(Span<byte> destination, byte streamId, long pts, long dts, int payloadLength, bool unbounded)
    {
        var hasDts = dts != pts;
        var optionalLength = hasDts ? 10 : 5;
        var packetLength = 3 + optionalLength + payloadLength;
        if (unbounded || packetLength > 0xFFFF)
        {
            packetLength = 0;
        }

        destination[0] = 0;
        destination[1] = 0;
        destination[2] = 1;
        destination[3] = streamId;
        destination[4] = (byte)(packetLength >> 8);
        destination[5] = (byte)packetLength;
        destination[6] = 0x80; // '10', not scrambled, no priority, no alignment, no copyright, copy
        destination[7] = (byte)(hasDts ? 0xC0 : 0x80);
        destination[8] = (byte)optionalLength;
        WriteTimestamp(destination[9..], hasDts ? 0x3 : 0x2, pts);
        if (hasDts)
        {
            WriteTimestamp(destination[14..], 0x1, dts);
        }

        return 9 + optionalLength;
    }

    /// <summary>A 33-bit timestamp in 5 bytes: a 4-bit prefix, then 3 + 15 + 15 bits each ended by a marker bit.</summary>
    public static void WriteTimestamp(Span<byte> destination, int prefix, long timestamp)
    {
        destination[0] = (byte)((prefix << 4) | (int)((timestamp >> 29) & 0x0E) | 1);
        destination[1] = (byte)(timestamp >> 22);
        destination[2] = (byte)(((timestamp >> 14) & 0xFE) | 1);
        destination[3] = (byte)(timestamp >> 7);
        destination[4] = (byte)(((timestamp << 1) & 0xFE) | 1);
    }
}
