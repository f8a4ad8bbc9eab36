using System.Diagnostics;
using Platform.Load.Cli;

namespace Platform.Load.Modes;

/// <summary>
/// Watches the players of a <c>play</c> run: once a second it applies the setup and stall timeouts and
/// prints a progress line; at the end it prints the summary and the <c>RESULT</c> line.
/// </summary>
public sealed class PlayReport
{
    private readonly Player[] _players;
    private readonly PlayOptions _options;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes();
    private double _steadyMbpsSum;
    private int _steadySeconds;
    private double _peakMbps;

    public PlayReport(Player[] players, PlayOptions options)
    {
        _players = players;
        _options = options;
    }

    public async Task TickUntilAsync(double seconds, CancellationToken cancellationToken)
    {
        long lastBytes = 0, lastFrames = 0;
        var lastTick = _started;
        for (var tick = 1; ; tick++)
        {
            var due = Math.Min(tick, seconds);
            var wait = TimeSpan.FromSeconds(due) - Stopwatch.GetElapsedTime(_started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var now = Stopwatch.GetTimestamp();
            ApplyTimeouts(now);
            var totals = Totals.Of(_players);
            var dt = Stopwatch.GetElapsedTime(lastTick, now).TotalSeconds;
            var mbps = dt > 0 ? (totals.Bytes - lastBytes) * 8 / dt / 1e6 : 0;
            var elapsed = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
            if (elapsed >= _options.RampEnd + 2)
            {
                _steadyMbpsSum += mbps;
                _steadySeconds++;
            }

            _peakMbps = Math.Max(_peakMbps, mbps);
            if (!_options.Quiet)
            {
                var ttff = Sorted(p => p.FirstVideoTicks);
                Console.WriteLine(
                    $"t={elapsed:0}s conns={totals.Alive} playing={totals.Playing} got_video={totals.GotVideo} " +
                    $"mbps={mbps:0.0} frames={(dt > 0 ? (totals.VideoFrames - lastFrames) / dt : 0):0}/s " +
                    $"ttff_p50={Percentiles.Of(ttff, 50)} ttff_p99={Percentiles.Of(ttff, 99)} errors={totals.Errors}");
            }

            lastBytes = totals.Bytes;
            lastFrames = totals.VideoFrames;
            lastTick = now;
            if (due >= seconds)
            {
                return;
            }
        }
    }

    /// <summary>Prints the summary and the RESULT line; returns the exit code.</summary>
    public int PrintSummary()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalSeconds;
        var t = Totals.Of(_players);
        var ttff = Sorted(p => p.FirstVideoTicks);
        var ttkf = Sorted(p => p.FirstKeyTicks);
        var drift = new List<long>();
        foreach (var p in _players)
        {
            if (p.FirstVideoTicks != 0)
            {
                drift.Add(p.DriftMs);
            }
        }

        drift.Sort();
        var mbps = _steadySeconds > 0 ? _steadyMbpsSum / _steadySeconds : t.Bytes * 8 / wall / 1e6;
        Console.WriteLine("# ---- summary ----");
        Console.WriteLine($"players: requested={_players.Length} started={t.Started} got_video={t.GotVideo} got_keyframe={t.GotKey} ok_until_end={t.Ok}");
        Console.WriteLine(
            $"traffic: bytes={t.Bytes} avg={t.Bytes * 8 / wall / 1e6:0.0}Mbit/s steady={mbps:0.0}Mbit/s (over {_steadySeconds} s after ramp+2s) " +
            $"peak1s={_peakMbps:0.0} video_frames={t.VideoFrames} audio_frames={t.AudioFrames} keyframes={t.KeyFrames}");
        Console.WriteLine(
            $"time-to-first-video-frame ms: p50={Percentiles.Of(ttff, 50)} p95={Percentiles.Of(ttff, 95)} " +
            $"p99={Percentiles.Of(ttff, 99)} max={(ttff.Count > 0 ? ttff[^1] : -1)} (n={ttff.Count})");
        Console.WriteLine($"time-to-first-keyframe    ms: p50={Percentiles.Of(ttkf, 50)} p99={Percentiles.Of(ttkf, 99)} (n={ttkf.Count})");
        Console.WriteLine($"drift (wall - media since 1st frame) ms: p50={Percentiles.Of(drift, 50)} p99={Percentiles.Of(drift, 99)}");
        Console.WriteLine($"errors: total={t.Errors}{ErrorKinds.Format(_players.Select(p => p.ErrorKind))}");
        foreach (var p in _players.Where(p => p.ErrorKind is not null).Take(3))
        {
            Console.WriteLine($"  e.g. player {p.Index}: {p.ErrorKind} {p.ErrorMessage}");
        }

        Console.WriteLine(
            $"client: cpu={cpu:0.0}s ({cpu / wall * 100:0}% of one core) wall={wall:0.0}s " +
            $"allocated={(GC.GetTotalAllocatedBytes() - _allocatedAtStart) / 1e6:0.0}MB gc0={GC.CollectionCount(0)} gc2={GC.CollectionCount(2)} " +
            $"rss={Environment.WorkingSet / 1e6:0}MB");
        Console.WriteLine(
            $"RESULT n={_players.Length} got_video={t.GotVideo} errors={t.Errors} mbps={mbps:0.0} " +
            $"ttff_p50={Percentiles.Of(ttff, 50)} ttff_p95={Percentiles.Of(ttff, 95)} ttff_p99={Percentiles.Of(ttff, 99)} " +
            $"bytes={t.Bytes} video_frames={t.VideoFrames} audio_frames={t.AudioFrames} started={t.Started} got_key={t.GotKey} " +
            $"ok={t.Ok} ttkf_p50={Percentiles.Of(ttkf, 50)} ttkf_p99={Percentiles.Of(ttkf, 99)} " +
            $"drift_p99={Percentiles.Of(drift, 99)} client_cpu={cpu / wall * 100:0}");
        return t.GotVideo == _players.Length && t.Errors == 0 ? 0 : 1;
    }

    private void ApplyTimeouts(long now)
    {
        foreach (var p in _players)
        {
            if (!p.Alive || p.StartTicks == 0)
            {
                continue;
            }

            if (p.FirstVideoTicks == 0 && Stopwatch.GetElapsedTime(p.StartTicks, now) > _options.SetupTimeout)
            {
                p.Fail(
                    p.Playing ? ErrorKinds.Stall : ErrorKinds.SetupTimeout,
                    p.Playing ? "play started but no video frame within the setup timeout" : "setup timeout");
            }
            else if (p.FirstVideoTicks != 0 && Stopwatch.GetElapsedTime(p.LastReceiveTicks, now) > _options.StallTimeout)
            {
                p.Fail(ErrorKinds.Stall, "no data");
            }
        }
    }

    /// <summary>Milliseconds from each player's start to <paramref name="ticksOf"/>, for those that got there.</summary>
    private List<long> Sorted(Func<Player, long> ticksOf)
    {
        var values = new List<long>(_players.Length);
        foreach (var p in _players)
        {
            var ticks = ticksOf(p);
            if (ticks != 0 && p.StartTicks != 0)
            {
                values.Add((long)Stopwatch.GetElapsedTime(p.StartTicks, ticks).TotalMilliseconds);
            }
        }

        values.Sort();
        return values;
    }

    private readonly record struct Totals(
        int Started, int Alive, int Playing, int GotVideo, int GotKey, int Ok, int Errors,
        long Bytes, long VideoFrames, long AudioFrames, long KeyFrames)
    {
        public static Totals Of(Player[] players)
        {
            int started = 0, alive = 0, playing = 0, gotVideo = 0, gotKey = 0, ok = 0, errors = 0;
            long bytes = 0, video = 0, audio = 0, keys = 0;
            foreach (var p in players)
            {
                started += p.StartTicks != 0 ? 1 : 0;
                alive += p.Alive ? 1 : 0;
                playing += p.Playing ? 1 : 0;
                gotVideo += p.FirstVideoTicks != 0 ? 1 : 0;
                gotKey += p.FirstKeyTicks != 0 ? 1 : 0;
                ok += p.EndedCleanly && p.FirstVideoTicks != 0 ? 1 : 0;
                errors += p.ErrorKind is not null ? 1 : 0;
                bytes += p.Bytes;
                video += p.VideoFrames;
                audio += p.AudioFrames;
                keys += p.KeyFrames;
            }

            return new Totals(started, alive, playing, gotVideo, gotKey, ok, errors, bytes, video, audio, keys);
        }
    }
}
