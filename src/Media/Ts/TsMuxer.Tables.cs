using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Media.Ts;

public sealed partial class TsMuxer
{
    private const byte PatTableId = 0x00;
    private const byte PmtTableId = 0x02;
    private const int TransportStreamId = 1;

    /// <summary>
    /// Writes a PAT (program 1 on PID 0x1000) and a PMT listing the configured streams, one packet each.
    /// Write them at the start of the stream and of every segment, and again after a configuration change.
    /// </summary>
    public void WriteTables(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WritePat(output);
        WritePmt(output);
    }

    private void WritePat(IBufferWriter<byte> output)
    {
        var section = BeginSection(output, PatPid, ref _patCounter, TakeDiscontinuity(PatPid));
        section[0] = PatTableId;
        WriteSectionLength(section, 13);
        BinaryPrimitives.WriteUInt16BigEndian(section[3..], TransportStreamId);
        section[5] = 0xC1; // reserved, version 0, current_next_indicator
        section[6] = 0; // section_number
        section[7] = 0; // last_section_number
        BinaryPrimitives.WriteUInt16BigEndian(section[8..], ProgramNumber);
        WritePid(section[10..], PmtPid);
        EndSection(output, section, 12);
    }

    private void WritePmt(IBufferWriter<byte> output)
    {
        var section = BeginSection(output, PmtPid, ref _pmtCounter, TakeDiscontinuity(PmtPid));
        var streams = (HasVideo ? 1 : 0) + (HasAudio ? 1 : 0);
        section[0] = PmtTableId;
        WriteSectionLength(section, 13 + (5 * streams));
        BinaryPrimitives.WriteUInt16BigEndian(section[3..], ProgramNumber);
        section[5] = (byte)(0xC1 | (_pmtVersion << 1));
        section[6] = 0;
        section[7] = 0;
        WritePid(section[8..], PcrPid);
        section[10] = 0xF0; // reserved, program_info_length 0
        section[11] = 0;
        var offset = 12;
        if (HasVideo)
        {
            offset = WriteStream(section, offset, VideoStreamType, VideoPid);
        }

        if (HasAudio)
        {
            offset = WriteStream(section, offset, _audioStreamType, AudioPid);
        }

        EndSection(output, section, offset);
        _pmtWritten = true;
    }

    /// <summary>
    /// Opens a packet with payload_unit_start and pointer_field 0 (behind a 2-byte adaptation field with the
    /// discontinuity_indicator when <paramref name="discontinuity"/>); returns the span for the section.
    /// </summary>
    private static Span<byte> BeginSection(IBufferWriter<byte> output, int pid, ref byte counter, bool discontinuity)
    {
        var packet = output.GetSpan(PacketSize)[..PacketSize];
        TsPacket.WriteHeader(packet, pid, unitStart: true, hasAdaptationField: discontinuity, ref counter);
        var offset = TsPacket.HeaderLength;
        if (discontinuity)
        {
            TsPacket.WriteAdaptationField(packet.Slice(offset, 2), pcr: -1, randomAccess: false, discontinuity: true);
            offset += 2;
        }

        packet[offset] = 0; // pointer_field
        return packet[(offset + 1)..];
    }

    /// <summary>Appends the CRC after <paramref name="length"/> section bytes, pads with 0xFF and commits the packet.</summary>
    private static void EndSection(IBufferWriter<byte> output, Span<byte> section, int length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(section[length..], Crc32Mpeg2.Compute(section[..length]));
        section[(length + 4)..].Fill(0xFF);
        output.Advance(PacketSize);
    }

    /// <summary>section_syntax_indicator 1, '0', reserved '11', then the 12-bit section_length.</summary>
    private static void WriteSectionLength(Span<byte> section, int length)
    {
        section[1] = (byte)(0xB0 | (length >> 8));
        section[2] = (byte)length;
    }

    /// <summary>Three reserved bits and a 13-bit PID.</summary>
    private static void WritePid(Span<byte> destination, int pid)
    {
        destination[0] = (byte)(0xE0 | (pid >> 8));
        destination[1] = (byte)pid;
    }

    private static int WriteStream(Span<byte> section, int offset, byte streamType, int pid)
    {
        section[offset] = streamType;
        WritePid(section[(offset + 1)..], pid);
        section[offset + 3] = 0xF0; // reserved, ES_info_length 0
        section[offset + 4] = 0;
        return offset + 5;
    }
}
