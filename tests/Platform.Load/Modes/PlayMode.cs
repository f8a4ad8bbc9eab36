using System.Diagnostics;
using Platform.Load.Cli;

namespace Platform.Load.Modes;

/// <summary>
/// <c>play</c>: N RTMP or HTTP-FLV players in this process (async, no thread per player), started at a
/// given rate, run for a fixed time including the ramp; one progress line a second, then a summary and a
/// <c>RESULT</c> line with rtmpload's key names. Exit code 0 only if every player got video and none failed.
/// </summary>
public static class PlayMode
{
    public const string Usage =
        "play -n N -d SECONDS [-r CONNECTS_PER_SEC] [-t SETUP_TIMEOUT] [-s STALL_TIMEOUT] [-w MS] [-q] [-v] [--digest] URL\n" +
        "    URL: rtmp://host[:port]/app/stream[?query]  or  http://host[:port]/path.flv (HTTP-FLV)\n" +
        "    -r default 100 (0 = all at once); -t/-s default 10 s; -d includes the ramp;\n" +
        "    -w MS: each player reads at most once per MS (as rtmpload -w; default 0 = read at once); -v: log player 0";

    public static async Task<int> RunAsync(CliArgs args, CancellationToken stopToken)
    {
        args.AllowOnly("-n", "-d", "-r", "-t", "-s", "-w", "-q", "-v", "--digest");
        var url = args.Single("URL");
        var options = new PlayOptions(
            args.Int("-n", 1, min: 1), args.Double("-d", 30, min: 0.1), args.Double("-r", 100),
            TimeSpan.FromSeconds(args.Double("-t", 10, min: 0.1)), TimeSpan.FromSeconds(args.Double("-s", 10, min: 0.1)),
            args.Has("-q"));
        var coalesceMs = args.Double("-w", 0);
        using var pacer = coalesceMs > 0 ? new ReadPacer(TimeSpan.FromMilliseconds(coalesceMs)) : null;
        using var http = HttpFlvPlayer.CreateClient(options.SetupTimeout);
        var players = CreatePlayers(url, options.Count, args.Has("--digest"), http, pacer, args.Has("-v"));
        Console.WriteLine(
            $"# platform-load play mode={(players[0] is RtmpPlayer ? "rtmp" : "http-flv")} url={url} n={options.Count} " +
            $"duration={options.Duration}s ramp={options.Ramp}/s coalesce={coalesceMs}ms");

        var report = new PlayReport(players, options);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        var tasks = new List<Task>(players.Length);
        var ramp = StartPlayersAsync(players, options.Ramp, tasks, run.Token);
        try
        {
            await report.TickUntilAsync(options.Duration, run.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await run.CancelAsync();
        await ramp;
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return report.PrintSummary();
    }

    private static Player[] CreatePlayers(string url, int count, bool digest, HttpClient http, ReadPacer? pacer, bool verbose)
    {
        var players = new Player[count];
        if (url.StartsWith("rtmp://", StringComparison.OrdinalIgnoreCase))
        {
            var endpoint = RtmpEndpoint.Parse(url);
            for (var i = 0; i < count; i++)
            {
                players[i] = new RtmpPlayer(i, endpoint, digest, pacer) { Verbose = verbose && i == 0 };
            }
        }
        else if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri(url);
            for (var i = 0; i < count; i++)
            {
                players[i] = new HttpFlvPlayer(i, http, uri, pacer) { Verbose = verbose && i == 0 };
            }
        }
        else
        {
            throw new UsageException($"URL must be rtmp:// or http://: {url}");
        }

        return players;
    }

    /// <summary>Starts player i at i / rate seconds (all at once with rate 0), on this one loop.</summary>
    private static async Task StartPlayersAsync(Player[] players, double rate, List<Task> tasks, CancellationToken runToken)
    {
        var started = Stopwatch.GetTimestamp();
        var next = 0;
        try
        {
            while (next < players.Length && !runToken.IsCancellationRequested)
            {
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                while (next < players.Length && (rate <= 0 || next / rate <= elapsed))
                {
                    tasks.Add(players[next].RunAsync(runToken));
                    next++;
                }

                if (next < players.Length)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(((next / rate) - elapsed) * 1000, 1, 10)), runToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>What <c>play</c> was asked to do.</summary>
public sealed record PlayOptions(int Count, double Duration, double Ramp, TimeSpan SetupTimeout, TimeSpan StallTimeout, bool Quiet)
{
    /// <summary>Seconds after which the last player was scheduled to start.</summary>
    public double RampEnd => Ramp > 0 ? (Count - 1) / Ramp : 0;
}
