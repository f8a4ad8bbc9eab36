using Platform.Api.Hosting;

namespace Platform.EndToEnd.Tests;

/// <summary>The /proc parsers behind /api/v1/summaries, on fixed samples of each file.</summary>
public class ProcFsTests
{
    [Fact]
    public void Load_average_and_uptime()
    {
        Assert.Equal((0.52, 1.5, 12.25), ProcFs.ParseLoadAverage("0.52 1.50 12.25 3/812 40211\n"));
        Assert.Equal((35421.17, 69012.5), ProcFs.ParseUptime("35421.17 69012.50\n"));
        Assert.Null(ProcFs.ParseLoadAverage("0.52 x"));
        Assert.Null(ProcFs.ParseUptime(string.Empty));
    }

    [Fact]
    public void Memory_lines_in_kilobytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 3000 kB\nVmRSS:\t  123456 kB\nThreads:\t30\n";
        Assert.Equal(123456, ProcFs.ParseKilobytes(status, "VmRSS"));
        Assert.Null(ProcFs.ParseKilobytes(status, "VmSwap"));
        const string meminfo = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n";
        var memory = ProcFs.ParseMemInfo(meminfo)!.Value;
        Assert.Equal(new MemInfo(16000000, 4000000, 2000000, 1500000), memory);
        Assert.Equal(75, memory.RamPercent);
        Assert.Equal(25, memory.SwapPercent);
        Assert.Null(ProcFs.ParseMemInfo("SwapTotal: 1 kB\n"));
    }

    [Fact]
    public void Cpu_times_and_percent_between_samples()
    {
        var before = ProcFs.ParseCpuTimes("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n")!.Value;
        Assert.Equal(new CpuTimes(1000, 850), before);
        var after = ProcFs.ParseCpuTimes("cpu  250 0 100 1400 50 0 0 0 0 0\n")!.Value;
        Assert.Equal(25, ProcFs.CpuPercent(before, after));
        Assert.Equal(0, ProcFs.CpuPercent(after, after));
        Assert.Null(ProcFs.ParseCpuTimes("intr 1 2 3\n"));
    }

    [Fact]
    public void Parent_pid_after_a_command_name_with_spaces_and_parentheses()
    {
        Assert.Equal(77, ProcFs.ParseParentPid("4242 (my (odd) name) S 77 4242 4242 0 -1 4194560 100"));
        Assert.Null(ProcFs.ParseParentPid("garbage"));
    }

    [Fact]
    public void Socket_counts()
    {
        const string sockstat = "sockets: used 300\nTCP: inuse 12 orphan 0 tw 5 alloc 20 mem 3\nUDP: inuse 4 mem 1\nUDPLITE: inuse 0\n";
        const string snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs\nTcp: 1 200 120000 -1 10 20 0 1 9 1000\n";
        Assert.Equal(new SocketCounts(12, 5, 4, 9), ProcFs.ParseSockets(sockstat, snmp));
        Assert.Equal(new SocketCounts(0, 0, 0, 0), ProcFs.ParseSockets(string.Empty, string.Empty));
    }
}
