using System.Buffers;

namespace Platform.Media.Ts;

/// <summary>
/// Splits a PES packet into 188-byte transport packets written straight into the output's spans. The
/// first packet may carry an adaptation field with random_access_indicator and a PCR; the last one is
/// padded with adaptation field stuffing. Continuity counters advance per packet (4 bits, wrapping); the
/// first packet can mark that its counter does not follow the previous one (discontinuity_indicator).
/// </summary>
internal static class TsPacket
{
    public const int Size = 188;
    public const byte SyncByte = 0x47;
    public const int HeaderLength = 4;
    public const int PayloadCapacity = Size - HeaderLength;

    private const byte DiscontinuityFlag = 0x80;
    private const byte RandomAccessFlag = 0x40;
    private const byte PcrFlag = 0x10;
    private const int PcrLength = 6;

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="payload"/>; <paramref name="pcr"/> &lt; 0 for none.</summary>
    public static void WritePes(
        IBufferWriter<byte> output, int pid, ref byte continuityCounter, ref PesPayload payload, int length,
        long pcr, bool randomAccess, bool discontinuity = false)
    {
        var remaining = length;
        var first = true;
        while (remaining > 0)
        {
            var packet = output.GetSpan(Size)[..Size];
            var hasFlags = first && (pcr >= 0 || randomAccess || discontinuity);
            var flagsLength = hasFlags ? 2 + (pcr >= 0 ? PcrLength : 0) : 0;
            var space = PayloadCapacity - flagsLength;
            var take = Math.Min(space, remaining);
            var adaptationLength = flagsLength + (space - take);
            WriteHeader(packet, pid, first, adaptationLength > 0, ref continuityCounter);
            if (adaptationLength > 0)
            {
                WriteAdaptationField(
                    packet.Slice(HeaderLength, adaptationLength), hasFlags && pcr >= 0 ? pcr : -1, hasFlags && randomAccess, hasFlags && discontinuity);
            }

            var written = payload.Fill(packet.Slice(HeaderLength + adaptationLength, take));
            if (written != take)
            {
                throw new InvalidOperationException($"PES payload ended {take - written} bytes short of its measured length.");
            }

            output.Advance(Size);
            remaining -= take;
            first = false;
        }
    }

    /// <summary>The 4-byte header: sync, payload_unit_start, PID, adaptation_field_control, continuity counter.</summary>
    public static void WriteHeader(Span<byte> packet, int pid, bool unitStart, bool hasAdaptationField, ref byte continuityCounter)
    {
        packet[0] = SyncByte;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1F));
        packet[2] = (byte)pid;
        packet[3] = (byte)((hasAdaptationField ? 0x30 : 0x10) | continuityCounter);
        continuityCounter = (byte)((continuityCounter + 1) & 0x0F);
    }

    /// <summary>
    /// An adaptation field filling <paramref name="field"/> exactly: its length byte, then (when there is room)
    /// the flags, the PCR if <paramref name="pcr"/> &gt;= 0, and 0xFF stuffing.
    /// </summary>
    public static void WriteAdaptationField(Span<byte> field, long pcr, bool randomAccess, bool discontinuity = false)
    {
        field[0] = (byte)(field.Length - 1);
        if (field.Length == 1)
        {
            return; // a single stuffing byte: adaptation_field_length 0
        }

        var flags = (byte)((discontinuity ? DiscontinuityFlag : 0) | (randomAccess ? RandomAccessFlag : 0) | (pcr >= 0 ? PcrFlag : 0));
        field[1] = flags;
        var offset = 2;
        if (pcr >= 0)
        {
            WritePcr(field[2..], pcr);
            offset += PcrLength;
        }

        field[offset..].Fill(0xFF);
    }

    /// <summary>program_clock_reference: a 33-bit 90 kHz base, 6 reserved bits, a 9-bit extension (0).</summary>
    public static void WritePcr(Span<byte> destination, long base90Khz)
    {
        destination[0] = (byte)(base90Khz >> 25);
        destination[1] = (byte)(base90Khz >> 17);
        destination[2] = (byte)(base90Khz >> 9);
        destination[3] = (byte)(base90Khz >> 1);
        destination[4] = (byte)(((base90Khz & 1) << 7) | 0x7E);
        destination[5] = 0;
    }
}
