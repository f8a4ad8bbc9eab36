namespace Platform.EndToEnd.Tests;

/// <summary>
/// Deterministic HLS: two nodes that package the same timestamped stream, one joining it later, write the
/// same segments (names, durations and bytes) for the part they both see.
/// </summary>
[Collection("e2e")]
public class DeterministicHlsTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        // The stream's own timestamps must reach the packager: the corrector would rebase each publish to 0.
        ["Streams:TimeJitter"] = "Off",
        ["Apps:0:App"] = "det",
        ["Apps:0:Hls:Fragment"] = "00:00:01",
        ["Apps:0:Hls:Window"] = "00:01:00",
        ["Apps:0:Hls:Deterministic"] = "true",
        ["Apps:0:Hls:CleanupAfter"] = "00:01:00",
    };

    [Fact]
    public async Task Two_packagers_joining_at_different_times_write_byte_identical_segments()
    {
        // One encoded timeline (a keyframe every 480 ms, so segment starts are not multiples of the fragment),
        // published to A from its start and to B from the middle of a GOP 3.3 s in, timestamps kept.
        var source = await Inputs.TimelineFlvAsync();
        await using var a = await TestServer.StartAsync(Settings);
        await using var b = await TestServer.StartAsync(Settings);
        using var http = new HttpClient();
        await using var early = Ffmpeg.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", source, "-c", "copy", "-f", "flv", a.Rtmp("det/s")]);
        await Eventually.TrueAsync(async () => (await HlsPlaylists.GetAsync(http, a.Http("det/s.m3u8"))).Count >= 3,
            TimeSpan.FromSeconds(30), "three segments on A before B joins");
        await using var late = Ffmpeg.Start("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-re", "-ss", "3.3", "-copyts", "-i", source, "-c", "copy", "-f", "flv", b.Rtmp("det/s")]);
        await early.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await late.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(early.ExitCode == 0, early.Stderr);
        Assert.True(late.ExitCode == 0, late.Stderr);

        var playlistA = Path.Combine(a.StorageRoot, "hls", "det", "s.m3u8");
        var playlistB = Path.Combine(b.StorageRoot, "hls", "det", "s.m3u8");
        await Eventually.TrueAsync(() => HlsPlaylists.IsSettled(playlistA, "s-*.ts") && HlsPlaylists.IsSettled(playlistB, "s-*.ts"),
            TimeSpan.FromSeconds(30), "both playlists final after unpublish");

        var onA = HlsPlaylists.Parse(File.ReadAllText(playlistA));
        var onB = HlsPlaylists.Parse(File.ReadAllText(playlistB));
        // The timeline starts 23 ms after 0 (AAC priming), so A too waits for the first proven boundary (s-1);
        // B joined later, in the middle of an interval, and opens its first segment at the next one.
        Assert.Equal("s-1.ts", onA[0].Uri);
        Assert.True(onA.ToList().FindIndex(e => e.Uri == onB[0].Uri) >= 2, $"B starts at {onB[0].Uri}, A at {onA[0].Uri}");
        Assert.Equal(onA[^1].Uri, onB[^1].Uri);
        var durationsOnA = onA.ToDictionary(e => e.Uri, e => e.Duration, StringComparer.Ordinal);
        var common = 0;
        foreach (var entry in onB)
        {
            Assert.True(durationsOnA.TryGetValue(entry.Uri, out var duration), $"{entry.Uri} is on B but not on A");
            Assert.Equal(duration, entry.Duration);
            var bytesA = await http.GetByteArrayAsync(a.Http("det/" + entry.Uri));
            var bytesB = await http.GetByteArrayAsync(b.Http("det/" + entry.Uri));
            Assert.True(bytesA.AsSpan().SequenceEqual(bytesB),
                $"{entry.Uri}: {bytesA.Length} bytes on A, {bytesB.Length} on B, first difference at {FirstDifference(bytesA, bytesB)}");
            common++;
        }

        Assert.True(common >= 6, $"only {common} segments on both nodes");
        // B's playlist read from its first segment: the counters restart in every segment, and say so, so not even
        // a warning (ffmpeg would take each restart for lost packets: "corrupt input packet").
        var (exit, errors, frames, seconds) = await Probe.DecodeAllAsync(b.Http("det/s.m3u8"), 5, inputOptions: ["-live_start_index", "0"], level: "warning");
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 120 && seconds >= 4.9, $"decoded {frames} frames, {seconds:0.00} s of B's playlist");
    }

    private static int FirstDifference(byte[] x, byte[] y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return i;
            }
        }

        return length;
    }
}
