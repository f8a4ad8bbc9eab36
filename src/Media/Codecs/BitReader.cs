namespace Platform.Media.Codecs;

/// <summary>
/// Reads big-endian bit fields and Exp-Golomb codes from a span without ever throwing: a read past the end,
/// or an Exp-Golomb code longer than 32 bits, sets <see cref="Failed"/> and yields zero, so a parser reads
/// a whole structure and checks <see cref="Failed"/> once (and inside loops whose count came from the input).
/// </summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _position;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Failed = false;
    }

    /// <summary>True once a read went past the end or met an invalid code; it stays true.</summary>
    public bool Failed { get; private set; }

    public readonly long BitsRemaining => Failed ? 0 : ((long)_data.Length * 8) - _position;

    /// <summary>Marks the input as invalid (a field out of its allowed range).</summary>
    public void Fail() => Failed = true;

    public bool ReadBit() => ReadBits(1) != 0;

    /// <summary>Reads <paramref name="count"/> bits (0..32) as an unsigned value.</summary>
    public uint ReadBits(int count)
    {
        if (Failed || count > BitsRemaining)
        {
            Failed = true;
            return 0;
        }

        uint value = 0;
        for (var i = 0; i < count; i++)
        {
            var bit = (_data[(int)(_position >> 3)] >> (7 - (int)(_position & 7))) & 1;
            value = (value << 1) | (uint)bit;
            _position++;
        }

        return value;
    }

    public void Skip(long bits)
    {
        if (Failed || bits > BitsRemaining || bits < 0)
        {
            Failed = true;
            return;
        }

        _position += bits;
    }

    /// <summary>ue(v): unsigned Exp-Golomb, at most 32 leading zeros (values up to 2^32 - 2).</summary>
    public uint ReadUe()
    {
        var leadingZeros = 0;
        while (!Failed && !ReadBit())
        {
            if (++leadingZeros > 31)
            {
                Failed = true;
                return 0;
            }
        }

        if (Failed)
        {
            return 0;
        }

        return (uint)(((1UL << leadingZeros) - 1) + ReadBits(leadingZeros));
    }

    /// <summary>ue(v) that must not exceed <paramref name="max"/>; a larger value fails the reader.</summary>
    public int ReadUe(int max)
    {
        var value = ReadUe();
        if (value > (uint)max)
        {
            Failed = true;
            return 0;
        }

        return (int)value;
    }

    /// <summary>se(v): signed Exp-Golomb.</summary>
    public long ReadSe()
    {
        long k = ReadUe();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }
}
