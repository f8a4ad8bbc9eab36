namespace Platform.Media.Tests.Ts;

internal sealed record TsPacketView(
    int Pid, bool UnitStart, int Counter, int AdaptationLength, bool RandomAccess, long? Pcr, byte[] Payload, bool Discontinuity = false);

internal sealed record PesView(
    int Pid, byte StreamId, int DeclaredLength, long Pts, long? Dts, bool RandomAccess, long? Pcr, byte[] Data);

/// <summary>
/// An independent, strict reader of what the muxer writes, for assertions: every packet is 188 bytes with
/// the sync byte, continuity counters go up by one per PID (unless a packet has the discontinuity_indicator),
/// PES packets are reassembled per PID.
/// </summary>
internal static class TsTestReader
{
    public static List<TsPacketView> Packets(byte[] ts)
    {
        Assert.Equal(0, ts.Length % 188);
        var packets = new List<TsPacketView>();
        var counters = new Dictionary<int, int>();
        for (var offset = 0; offset < ts.Length; offset += 188)
        {
            var p = ts.AsSpan(offset, 188);
            Assert.Equal(0x47, p[0]);
            Assert.Equal(0, p[1] & 0x80); // transport_error_indicator
            var pid = ((p[1] & 0x1F) << 8) | p[2];
            var control = (p[3] >> 4) & 3;
            Assert.NotEqual(0, control & 1); // every packet carries payload
            var counter = p[3] & 0x0F;
            var discontinuity = (control & 2) != 0 && p[4] > 0 && (p[5] & 0x80) != 0;
            if (counters.TryGetValue(pid, out var previous) && !discontinuity)
            {
                Assert.True(((previous + 1) & 0x0F) == counter, $"PID 0x{pid:X}: counter {counter} after {previous}");
            }

            counters[pid] = counter;
            var adaptationLength = 0;
            var randomAccess = false;
            long? pcr = null;
            if ((control & 2) != 0)
            {
                adaptationLength = 1 + p[4];
                Assert.InRange(adaptationLength, 1, 184);
                if (p[4] > 0)
                {
                    randomAccess = (p[5] & 0x40) != 0;
                    if ((p[5] & 0x10) != 0)
                    {
                        pcr = ((long)p[6] << 25) | ((long)p[7] << 17) | ((long)p[8] << 9) | ((long)p[9] << 1) | ((long)p[10] >> 7);
                    }
                }
            }

            packets.Add(new TsPacketView(
                pid, (p[1] & 0x40) != 0, counter, adaptationLength, randomAccess, pcr, p[(4 + adaptationLength)..].ToArray(), discontinuity));
        }

        return packets;
    }

    /// <summary>PES packets of the elementary stream PIDs (not 0 nor the PMT), in order.</summary>
    public static List<PesView> Pes(byte[] ts)
    {
        var result = new List<PesView>();
        var open = new Dictionary<int, (TsPacketView First, List<byte> Bytes)>();
        foreach (var packet in Packets(ts))
        {
            if (packet.Pid is 0 or 0x1000)
            {
                continue;
            }

            if (packet.UnitStart)
            {
                if (open.Remove(packet.Pid, out var done))
                {
                    result.Add(ParsePes(done.First, [.. done.Bytes]));
                }

                open[packet.Pid] = (packet, [.. packet.Payload]);
            }
            else
            {
                Assert.True(open.ContainsKey(packet.Pid), $"PID 0x{packet.Pid:X}: continuation without a start");
                open[packet.Pid].Bytes.AddRange(packet.Payload);
            }
        }

        foreach (var (first, bytes) in open.Values.OrderBy(v => v.First.Pid))
        {
            result.Add(ParsePes(first, [.. bytes]));
        }

        return result;
    }

    public static long ReadTimestamp(ReadOnlySpan<byte> b, int prefix)
    {
        Assert.Equal(prefix, b[0] >> 4);
        Assert.Equal(1, b[0] & 1);
        Assert.Equal(1, b[2] & 1);
        Assert.Equal(1, b[4] & 1);
        return ((long)(b[0] & 0x0E) << 29) | ((long)b[1] << 22) | ((long)(b[2] >> 1) << 15) | ((long)b[3] << 7) | ((long)b[4] >> 1);
    }

    private static PesView ParsePes(TsPacketView first, byte[] bytes)
    {
        Assert.Equal([0, 0, 1], bytes[..3]);
        var declared = (bytes[4] << 8) | bytes[5];
        if (declared != 0)
        {
            Assert.Equal(declared, bytes.Length - 6);
        }

        Assert.Equal(0x80, bytes[6] & 0xC0);
        var flags = bytes[7] >> 6;
        Assert.True(flags is 2 or 3);
        var headerData = bytes[8];
        var pts = ReadTimestamp(bytes.AsSpan(9), flags == 3 ? 3 : 2);
        long? dts = flags == 3 ? ReadTimestamp(bytes.AsSpan(14), 1) : null;
        return new PesView(
            first.Pid, bytes[3], declared, pts, dts, first.RandomAccess, first.Pcr, bytes[(9 + headerData)..]);
    }
}
