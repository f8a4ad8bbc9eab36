using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>A node stopped with SIGTERM drains: not ready, no new clients, its clients given time, then it leaves and exits 0.</summary>
[Collection("e2e")]
public partial class DrainTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_draining_node_closes_its_players_after_the_drain_timeout_finalizes_its_recording_and_exits_0_while_viewers_elsewhere_go_on()
    {
        await using var cluster = await ClusterNodes.StartAsync(extra: new Dictionary<string, string?> { ["Cluster:DrainTimeout"] = "00:00:06" });

        // A waiting player creates the entity: its node (which runs the stream's HLS and DVR workers) is the one drained.
        var (waiting, draining) = await EntityNodeAsync(cluster, "drain");
        var others = cluster.Nodes.Where(n => n != draining).ToList();
        var (publishing, viewing) = (others[0], others[1]);

        await using var publisher = Ffmpeg.Publish(publishing.Rtmp("live/drain"));
        System.Text.Json.JsonElement? stream = null;
        await Eventually.TrueAsync(async () => IsPublished(stream = await StreamAsync(viewing, "drain")), TimeSpan.FromSeconds(30), "published");
        await waiting;

        // A player on the draining node that never leaves by itself; one on another node; an HLS viewer there; a recording.
        var stuck = Probe.DecodeAsync(draining.Rtmp("live/drain"), 60, TimeSpan.FromSeconds(120));
        var elsewhere = Probe.DecodeAsync(viewing.Http("live/drain.flv"), 25, TimeSpan.FromSeconds(120));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var record = await ApiCalls.SendAsync(http, HttpMethod.Post, viewing.Api($"/api/v1/streams/{stream!.Value.GetProperty("id").GetString()}/dvr"));
        Assert.True(record.Status == HttpStatusCode.OK, record.Body.ToString());
        await WaitHlsAsync(viewing, "live/drain.m3u8");
        await Eventually.TrueAsync(async () => (await ClientsAsync(draining)).Any(x => Url(x) == "/live/drain" && Type(x) == "rtmp-play" && Node(x) == draining.Address),
            TimeSpan.FromSeconds(20), "the player on the draining node");
        var hls = new HlsWatch(http);
        Assert.Equal(HttpStatusCode.OK, await hls.Viewer.OpenAsync(viewing.Http("live/drain.m3u8"), TimeSpan.FromSeconds(20)));
        var watching = hls.RunAsync(TimeSpan.FromSeconds(40));
        await Task.Delay(4000);

        var stopped = DateTime.UtcNow;
        draining.Terminate();

        // At once: not ready, new RTMP connections refused, new HTTP media requests turned away.
        await Eventually.TrueAsync(async () => (await http.GetAsync($"http://127.0.0.1:{draining.ManagementPort}/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(3), "/ready 503 while draining");
        await Eventually.TrueAsync(async () => !await AcceptsAsync(draining.RtmpPort), TimeSpan.FromSeconds(3), "the RTMP listener closed");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(draining.Http("live/drain.flv"), HttpCompletionOption.ResponseHeadersRead)).StatusCode);

        // The player that stayed is closed when the drain's time is up, then the node exits 0.
        var cut = await stuck;
        var closedAfter = DateTime.UtcNow - stopped;
        Assert.True(cut.Frames < 40 * 25, $"the player on the draining node was closed ({cut.Frames} frames)");
        Assert.True(closedAfter >= TimeSpan.FromSeconds(5), $"closed after {closedAfter.TotalSeconds:0.0} s, before the 6 s drain timeout");
        await draining.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(draining.ExitCode == 0, $"exit code {draining.ExitCode}: {cluster.Logs}");
        Assert.Contains("closing, node draining: reconnect to another node", draining.Output, StringComparison.Ordinal);
        output.WriteLine($"player closed after {closedAfter.TotalSeconds:0.0} s, node exited after {(DateTime.UtcNow - stopped).TotalSeconds:0.0} s");

        // Its recording is a finished FLV file (no .tmp left), readable to its end.
        var dvr = Path.Combine(draining.StorageRoot, "dvr");
        Assert.Empty(Directory.GetFiles(dvr, "*.tmp", SearchOption.AllDirectories));
        var recording = Assert.Single(Directory.GetFiles(dvr, "*.flv", SearchOption.AllDirectories));
        var duration = await Probe.DurationAsync(recording);
        Assert.True(duration >= 5, $"{recording}: {duration:0.0} s recorded");

        // The player on another node played through; the HLS viewer there is served again by the stream's new home.
        var played = await elsewhere;
        Assert.True(played.Exit == 0 && played.Errors.Length == 0, played.Errors + cluster.Logs);
        Assert.True(played.Frames >= 22 * 25, $"{played.Frames} frames over 25 s across the drain");
        await watching;
        output.WriteLine(hls.Describe());
        Assert.True(hls.SegmentsAfter(stopped + TimeSpan.FromSeconds(15)) >= 3, $"HLS segments after the drain: {hls.Describe()}\n{cluster.Logs}");
        var entity = (await StreamAsync(viewing, "drain"))!.Value.GetProperty("entity_node").GetString();
        Assert.NotEqual(draining.Address, entity);
    }

    [Fact]
    public async Task A_second_SIGTERM_ends_the_drain_at_once()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-drain-" + Guid.NewGuid().ToString("N")[..8]);
        await using var node = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["Cluster:DrainTimeout"] = "00:02:00", ["Logging:LogLevel:Platform"] = "Information" }, root);
        await using var publisher = Ffmpeg.Publish(node.Rtmp("live/twice"));
        await Eventually.TrueAsync(async () => IsPublished(await StreamAsync(node, "twice")), TimeSpan.FromSeconds(30), "published");

        node.Terminate();
        await Eventually.TrueAsync(() => node.Output.Contains("draining (SIGTERM)", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "draining");
        await Task.Delay(1000);
        Assert.False(node.HasExited, "the node waits for its publisher");
        var second = DateTime.UtcNow;
        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(DateTime.UtcNow - second < TimeSpan.FromSeconds(15), "exited soon after the second SIGTERM, not after the 2 min drain");
        Assert.True(node.ExitCode == 0, $"exit code {node.ExitCode}: {node.Output}");
        Assert.Contains("drain cut short", node.Output, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => publisher.HasExited, TimeSpan.FromSeconds(10), "the publisher closed");
    }

    [Fact]
    public async Task A_node_alone_stops_within_seconds_with_players_of_every_protocol_connected_and_never_answers_404_meanwhile()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-drain-" + Guid.NewGuid().ToString("N")[..8]);
        await using var node = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["Apps:0:Hls:Fragment"] = "00:00:01", ["Logging:LogLevel:Platform"] = "Information" }, root);
        await using var publisher = Ffmpeg.Publish(node.Rtmp("live/alone"));
        await WaitHlsAsync(node, "live/alone.m3u8");
        var rtmp = Probe.DecodeAsync(node.Rtmp("live/alone"), 60, TimeSpan.FromSeconds(90));
        var flv = Probe.DecodeAsync(node.Http("live/alone.flv"), 60, TimeSpan.FromSeconds(90));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var viewer = new HlsViewer(http);
        Assert.Equal(HttpStatusCode.OK, await viewer.OpenAsync(node.Http("live/alone.m3u8"), TimeSpan.FromSeconds(20)));
        await Eventually.TrueAsync(async () => (await ClientsAsync(node)).Count(x => Type(x) is "rtmp-play" or "flv-play") == 2, TimeSpan.FromSeconds(20), "both players");

        var stopped = DateTime.UtcNow;
        node.Terminate();
        var answers = new List<HttpStatusCode>();
        while (!node.HasExited && DateTime.UtcNow - stopped < TimeSpan.FromSeconds(20))
        {
            try
            {
                answers.Add((await viewer.PlaylistAsync()).Status);
            }
            catch (HttpRequestException)
            {
                // The listener is gone: the process is ending.
            }

            await Task.Delay(100);
        }

        await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var took = DateTime.UtcNow - stopped;
        output.WriteLine($"exited {took.TotalSeconds:0.0} s after SIGTERM; HLS answers meanwhile: {string.Join(",", answers.Select(a => (int)a))}");
        Assert.True(took < TimeSpan.FromSeconds(8), $"a node alone stopped in {took.TotalSeconds:0.0} s: {node.Output}");
        Assert.True(node.ExitCode == 0, $"exit code {node.ExitCode}: {node.Output}");
        Assert.DoesNotContain(HttpStatusCode.NotFound, answers);
        Assert.Contains("no other node to take them", node.Output, StringComparison.Ordinal);

        // Each closed client is logged once ("closing, ..."), not once per cause of its close.
        var closings = ClosingLine().Matches(node.Output).Select(m => m.Groups[1].Value).ToList();
        Assert.True(closings.Count >= 3, node.Output);
        Assert.Equal(closings.Count, closings.Distinct().Count());
        Assert.True((await rtmp).Frames < 50 * 25 && (await flv).Frames < 50 * 25, "both players were closed");
    }

    [Fact]
    public async Task A_node_whose_seeds_never_answer_stops_with_exit_code_2_naming_the_keys()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-drain-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = TestServer.FreePorts(7);
        await using var node = ServerProcess.Launch(new Dictionary<string, string?>
        {
            ["Cluster:Seeds:0"] = $"akka.tcp://platform@127.0.0.1:{ports[6]}",
            ["Cluster:Secret"] = ClusterNodes.Secret,
            ["Cluster:JoinTimeout"] = "00:00:05",
        }, root, ports[..6]);
        await node.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.True(node.ExitCode == 2, $"exit code {node.ExitCode}: {node.Output}");
        Assert.Contains("Cluster:JoinTimeout", node.Output, StringComparison.Ordinal);
        Assert.Contains("Cluster:Seeds", node.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"client (\w+) \([^)]*\): closing, ")]
    private static partial Regex ClosingLine();

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Polls a viewer's playlist like a player, fetches each new segment once, and keeps what it got when.</summary>
    private sealed partial class HlsWatch(HttpClient http)
    {
        private readonly List<(DateTime At, long Sequence)> _segments = [];
        private readonly List<string> _errors = [];

        public HlsViewer Viewer { get; } = new(http);

        public async Task RunAsync(TimeSpan duration)
        {
            var end = DateTime.UtcNow + duration;
            var seen = new HashSet<long>();
            while (DateTime.UtcNow < end)
            {
                try
                {
                    var (status, text) = await Viewer.PlaylistAsync();
                    if (status != HttpStatusCode.OK)
                    {
                        _errors.Add($"{DateTime.UtcNow:HH:mm:ss.f} playlist {(int)status}");
                    }
                    else
                    {
                        var first = long.Parse(MediaSequence().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                        var segments = Viewer.Segments(text);
                        for (var i = 0; i < segments.Count; i++)
                        {
                            if (seen.Add(first + i))
                            {
                                using var segment = await http.GetAsync(segments[i]);
                                if (segment.IsSuccessStatusCode)
                                {
                                    _segments.Add((DateTime.UtcNow, first + i));
                                }
                                else
                                {
                                    _errors.Add($"{DateTime.UtcNow:HH:mm:ss.f} segment {first + i} {(int)segment.StatusCode}");
                                }
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
                {
                    _errors.Add($"{DateTime.UtcNow:HH:mm:ss.f} {ex.GetType().Name}: {ex.Message}");
                }

                await Task.Delay(500);
            }
        }

        public int SegmentsAfter(DateTime time) => _segments.Count(s => s.At > time);

        public string Describe() =>
            $"{_segments.Count} segments ({string.Join(",", _segments.Select(s => s.Sequence))}), {_errors.Count} errors: {string.Join("; ", _errors)}";

        [GeneratedRegex(@"#EXT-X-MEDIA-SEQUENCE:(\d+)")]
        private static partial Regex MediaSequence();
    }
}
