namespace Platform.Media.Ts;

/// <summary>
/// Length-prefixed NAL units (ISO/IEC 14496-15, as RTMP and FLV carry them) to the Annex B byte stream
/// that MPEG-TS carries: each unit behind a 4-byte start code. Access unit delimiters in the input are
/// dropped (the muxer writes its own), and so are empty units.
/// </summary>
internal static class AnnexB
{
    public const int StartCodeLength = 4;

    private const int AvcAud = 9;
    private const int AvcSps = 7;
    private const int AvcPps = 8;
    private const int HevcVps = 32;
    private const int HevcSps = 33;
    private const int HevcPps = 34;
    private const int HevcAud = 35;

    public static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    /// <summary>H.264 AUD, primary_pic_type 7 (any slice type).</summary>
    public static ReadOnlySpan<byte> AvcAccessUnitDelimiter => [0, 0, 0, 1, 0x09, 0xF0];

    /// <summary>HEVC AUD (type 35, layer 0, temporal id 1), pic_type 2 (any slice type).</summary>
    public static ReadOnlySpan<byte> HevcAccessUnitDelimiter => [0, 0, 0, 1, 0x46, 0x01, 0x50];

    /// <summary>The parameter sets behind start codes, in order: one array per sequence header.</summary>
    public static byte[] Join(IReadOnlyList<byte[]> first, IReadOnlyList<byte[]> second, IReadOnlyList<byte[]> third)
    {
        var length = Measure(first) + Measure(second) + Measure(third);
        var joined = new byte[length];
        var offset = Copy(first, joined, 0);
        offset = Copy(second, joined, offset);
        Copy(third, joined, offset);
        return joined;
    }

    /// <summary>
    /// The Annex B length of the kept units, or -1 when a length prefix runs past the end (or the length
    /// size is not 1-4). <paramref name="hasParameterSets"/> says whether the frame carries its own SPS and
    /// PPS (and VPS for HEVC), in which case the muxer does not repeat the configured ones.
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> data, int lengthSize, bool hevc, out bool hasParameterSets)
    {
        hasParameterSets = false;
        if (lengthSize is < 1 or > 4)
        {
            return -1;
        }

        var seen = 0;
        var total = 0L;
        while (!data.IsEmpty)
        {
            if (!TryRead(ref data, lengthSize, out var nal))
            {
                return -1;
            }

            if (IsDropped(nal, hevc))
            {
                continue;
            }

            seen |= ParameterSetBit(nal[0], hevc);
            total += StartCodeLength + nal.Length;
        }

        hasParameterSets = seen == (hevc ? 7 : 3);
        return total > int.MaxValue ? -1 : (int)total;
    }

    /// <summary>Reads the next unit; false at the end or when its length runs past the data.</summary>
    public static bool TryRead(ref ReadOnlySpan<byte> data, int lengthSize, out ReadOnlySpan<byte> nal)
    {
        if (!TryReadLength(data, lengthSize, out var length))
        {
            nal = default;
            return false;
        }

        nal = data.Slice(lengthSize, length);
        data = data[(lengthSize + length)..];
        return true;
    }

    /// <summary>The length prefix of the next unit; false when missing or when it runs past the data.</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> data, int lengthSize, out int length)
    {
        length = 0;
        if (data.Length < lengthSize)
        {
            return false;
        }

        var value = 0u;
        for (var i = 0; i < lengthSize; i++)
        {
            value = (value << 8) | data[i];
        }

        if (value > (uint)(data.Length - lengthSize))
        {
            return false;
        }

        length = (int)value;
        return true;
    }

    public static bool IsDropped(ReadOnlySpan<byte> nal, bool hevc) =>
        nal.IsEmpty || (hevc ? ((nal[0] >> 1) & 0x3F) == HevcAud : (nal[0] & 0x1F) == AvcAud);

    private static int ParameterSetBit(byte header, bool hevc)
    {
        if (hevc)
        {
            return ((header >> 1) & 0x3F) switch { HevcVps => 4, HevcSps => 1, HevcPps => 2, _ => 0 };
        }

        return (header & 0x1F) switch { AvcSps => 1, AvcPps => 2, _ => 0 };
    }

    private static int Measure(IReadOnlyList<byte[]> units)
    {
        var length = 0;
        for (var i = 0; i < units.Count; i++)
        {
            length += StartCodeLength + units[i].Length;
        }

        return length;
    }

    private static int Copy(IReadOnlyList<byte[]> units, byte[] destination, int offset)
    {
        for (var i = 0; i < units.Count; i++)
        {
            StartCode.CopyTo(destination.AsSpan(offset));
            units[i].CopyTo(destination, offset + StartCodeLength);
            offset += StartCodeLength + units[i].Length;
        }

        return offset;
    }
}
