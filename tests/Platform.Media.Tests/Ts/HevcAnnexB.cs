namespace Platform.Media.Tests.Ts;

/// <summary>
/// Turns a raw HEVC Annex B stream (x265 with AUDs) into legacy FLV tag bodies (codec id 12): an hvcC
/// around the stream's own VPS/SPS/PPS, then each access unit's other units behind 4-byte lengths.
/// </summary>
internal static class HevcAnnexB
{
    private const int Aud = 35;

    public static List<List<byte[]>> AccessUnits(byte[] stream)
    {
        var units = new List<byte[]>();
        var start = -1;
        for (var i = 0; i + 3 <= stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1)
            {
                if (start >= 0)
                {
                    units.Add(Trim(stream[start..i]));
                }

                start = i + 3;
                i += 2;
            }
        }

        units.Add(stream[start..]);
        var accessUnits = new List<List<byte[]>>();
        foreach (var unit in units)
        {
            if (Type(unit) == Aud || accessUnits.Count == 0)
            {
                accessUnits.Add([]);
            }

            accessUnits[^1].Add(unit);
        }

        return accessUnits;
    }

    public static byte[] SequenceHeader(List<byte[]> firstAccessUnit)
    {
        List<byte> record = [.. TsFrames.HandBuiltHvcC[..21], 0x0F, 3]; // 4-byte lengths, three arrays
        foreach (var type in new[] { 32, 33, 34 })
        {
            var unit = firstAccessUnit.First(u => Type(u) == type);
            record.AddRange([(byte)type, 0, 1, (byte)(unit.Length >> 8), (byte)unit.Length, .. unit]);
        }

        return [0x1C, 0, 0, 0, 0, .. record];
    }

    public static byte[] Frame(List<byte[]> accessUnit)
    {
        var key = accessUnit.Any(u => Type(u) is >= 16 and <= 21);
        var units = accessUnit.Where(u => Type(u) is not (Aud or 32 or 33 or 34)).ToArray();
        return [(byte)(key ? 0x1C : 0x2C), 1, 0, 0, 0, .. TsFrames.LengthPrefixed(4, units)];
    }

    private static int Type(byte[] unit) => (unit[0] >> 1) & 0x3F;

    /// <summary>Drops the zero byte of a following 4-byte start code.</summary>
    private static byte[] Trim(byte[] unit)
    {
        var end = unit.Length;
        while (end > 0 && unit[end - 1] == 0)
        {
            end--;
        }

        return unit[..end];
    }
}
