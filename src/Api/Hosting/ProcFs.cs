using System.Globalization;

namespace Platform.Api.Hosting;

/// <summary>CPU time of the whole machine from the first line of <c>/proc/stat</c>, in clock ticks.</summary>
public readonly record struct CpuTimes(long Total, long Idle);

/// <summary>Memory figures from <c>/proc/meminfo</c>, in KiB.</summary>
public readonly record struct MemInfo(long TotalKb, long AvailableKb, long SwapTotalKb, long SwapFreeKb)
{
    public double RamPercent => TotalKb > 0 ? Math.Round(100.0 * (TotalKb - AvailableKb) / TotalKb, 2) : 0;

    public double SwapPercent => SwapTotalKb > 0 ? Math.Round(100.0 * (SwapTotalKb - SwapFreeKb) / SwapTotalKb, 2) : 0;
}

/// <summary>Socket counts of the network namespace from <c>/proc/net/sockstat</c> and <c>/proc/net/snmp</c>.</summary>
public readonly record struct SocketCounts(long TcpInUse, long TcpTimeWait, long UdpInUse, long TcpEstablished);

/// <summary>
/// Parsers for the Linux <c>/proc</c> files the summaries report. Pure: they take the file's text and
/// never trust its shape (a missing or malformed field gives null, never an exception).
/// </summary>
public static class ProcFs
{
    /// <summary><c>/proc/loadavg</c>: the 1, 5 and 15 minute load averages.</summary>
    public static (double One, double Five, double Fifteen)? ParseLoadAverage(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && TryDouble(parts[0], out var one) && TryDouble(parts[1], out var five) && TryDouble(parts[2], out var fifteen)
            ? (one, five, fifteen)
            : null;
    }

    /// <summary><c>/proc/uptime</c>: seconds since boot and idle seconds (summed over CPUs).</summary>
    public static (double Uptime, double Idle)? ParseUptime(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && TryDouble(parts[0], out var up) && TryDouble(parts[1], out var idle) ? (up, idle) : null;
    }

    /// <summary>A <c>Name: value kB</c> line of <c>/proc/self/status</c> or <c>/proc/meminfo</c>, in KiB.</summary>
    public static long? ParseKilobytes(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] == ':')
            {
                var parts = line[(name.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
            }
        }

        return null;
    }

    public static MemInfo? ParseMemInfo(string text)
    {
        var total = ParseKilobytes(text, "MemTotal");
        var available = ParseKilobytes(text, "MemAvailable") ?? ParseKilobytes(text, "MemFree");
        if (total is null || available is null)
        {
            return null;
        }

        return new MemInfo(total.Value, available.Value, ParseKilobytes(text, "SwapTotal") ?? 0, ParseKilobytes(text, "SwapFree") ?? 0);
    }

    /// <summary>
    /// The first (<c>cpu</c>) line of <c>/proc/stat</c>: total of user, nice, system, idle, iowait, irq,
    /// softirq and steal; idle is idle plus iowait.
    /// </summary>
    public static CpuTimes? ParseCpuTimes(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var line = end < 0 ? text : text[..end];
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || parts[0] != "cpu")
        {
            return null;
        }

        long total = 0;
        var values = new long[8];
        for (var i = 0; i < values.Length && i + 1 < parts.Length; i++)
        {
            if (!long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }

            total += values[i];
        }

        return new CpuTimes(total, values[3] + values[4]);
    }

    /// <summary>The parent pid from <c>/proc/self/stat</c> (read after the command name, which may hold spaces).</summary>
    public static int? ParseParentPid(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var parts = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    /// <summary><c>/proc/net/sockstat</c> (TCP in use and time-wait, UDP in use) and <c>/proc/net/snmp</c> (TCP established).</summary>
    public static SocketCounts ParseSockets(string sockstat, string snmp) => new(
        Field(sockstat, "TCP:", "inuse"),
        Field(sockstat, "TCP:", "tw"),
        Field(sockstat, "UDP:", "inuse"),
        SnmpField(snmp, "Tcp:", "CurrEstab"));

    /// <summary>CPU use in percent between two samples of <c>/proc/stat</c> (all CPUs together, 0 to 100).</summary>
    public static double CpuPercent(CpuTimes before, CpuTimes after)
    {
        var total = after.Total - before.Total;
        var idle = after.Idle - before.Idle;
        return total <= 0 ? 0 : Math.Round(Math.Clamp(100.0 * (total - idle) / total, 0, 100), 2);
    }

    private static long Field(string text, string prefix, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i + 1 < parts.Length; i += 2)
            {
                if (parts[i] == name && long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }

        return 0;
    }

    /// <summary>In <c>/proc/net/snmp</c> a protocol has a line of names then a line of values.</summary>
    private static long SnmpField(string text, string prefix, string name)
    {
        var lines = text.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith(prefix, StringComparison.Ordinal) || !lines[i + 1].StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var index = Array.IndexOf(names, name);
            return index > 0 && index < values.Length && long.TryParse(values[index], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }

        return 0;
    }

    private static bool TryDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
