using System.Diagnostics;

namespace Platform.Api.Hosting;

/// <summary>The figures of <c>/api/v1/summaries</c>: this process and the machine, as read now.</summary>
public sealed record SystemSummary(
    bool Ok,
    int? ParentPid,
    long RssKb,
    double MemPercent,
    double ProcessCpuPercent,
    long UptimeSeconds,
    double SystemCpuPercent,
    MemInfo Memory,
    int Cpus,
    double OsUptime,
    double OsIdle,
    (double One, double Five, double Fifteen) Load,
    SocketCounts Sockets);

/// <summary>
/// Reads process and machine figures from <c>/proc</c>. CPU percentages are over the time since the
/// previous sample (at least a second apart; a request sooner gets the last figures), so the first
/// answer covers the time since the node started. Process CPU is in percent of one core, like top;
/// machine CPU in percent of all cores.
/// </summary>
public sealed class SystemStats
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private long _lastWallTicks;
    private TimeSpan _lastProcessCpu;
    private CpuTimes? _lastCpu;
    private double _processCpuPercent;
    private double _systemCpuPercent;

    public SystemStats()
    {
        _lastWallTicks = Stopwatch.GetTimestamp();
        _lastProcessCpu = ProcessCpu();
        _lastCpu = ProcFs.ParseCpuTimes(Read("/proc/stat"));
    }

    public SystemSummary Sample()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(_lastWallTicks, now) >= MinInterval)
            {
                var wall = Stopwatch.GetElapsedTime(_lastWallTicks, now);
                var cpu = ProcessCpu();
                _processCpuPercent = Math.Round(100.0 * (cpu - _lastProcessCpu).TotalSeconds / wall.TotalSeconds, 2);
                var machine = ProcFs.ParseCpuTimes(Read("/proc/stat"));
                if (machine is { } after && _lastCpu is { } before)
                {
                    _systemCpuPercent = ProcFs.CpuPercent(before, after);
                }

                _lastWallTicks = now;
                _lastProcessCpu = cpu;
                _lastCpu = machine;
            }
        }

        var memory = ProcFs.ParseMemInfo(Read("/proc/meminfo"));
        var rss = ProcFs.ParseKilobytes(Read("/proc/self/status"), "VmRSS");
        var load = ProcFs.ParseLoadAverage(Read("/proc/loadavg"));
        var uptime = ProcFs.ParseUptime(Read("/proc/uptime"));
        var rssKb = rss ?? Environment.WorkingSet / 1024;
        var mem = memory ?? default;
        return new SystemSummary(
            Ok: memory is not null && rss is not null && load is not null && uptime is not null && _lastCpu is not null,
            ParentPid: ProcFs.ParseParentPid(Read("/proc/self/stat")),
            RssKb: rssKb,
            MemPercent: mem.TotalKb > 0 ? Math.Round(100.0 * rssKb / mem.TotalKb, 2) : 0,
            ProcessCpuPercent: _processCpuPercent,
            UptimeSeconds: (long)(DateTimeOffset.UtcNow - _started).TotalSeconds,
            SystemCpuPercent: _systemCpuPercent,
            Memory: mem,
            Cpus: Environment.ProcessorCount,
            OsUptime: uptime?.Uptime ?? 0,
            OsIdle: uptime?.Idle ?? 0,
            Load: load ?? default,
            Sockets: ProcFs.ParseSockets(Read("/proc/net/sockstat"), Read("/proc/net/snmp")));
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The file's text, or empty where it cannot be read (not Linux, restricted /proc).</summary>
    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return string.Empty;
        }
    }
}
