using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Platform.EndToEnd.Tests.Sources.Peers;
using Platform.Load;

namespace Platform.EndToEnd.Tests.Sources;

/// <summary>
/// The platform pulls every input kind from a real peer (an RTSP camera over TCP and UDP, nginx-rtmp, ffmpeg's
/// SRT listener, HLS from an upstream node), each played back from the platform by the real ffmpeg at full frame
/// rate with H.264 and AAC; a frozen camera is restarted by the watchdog, a mount that does not exist gives up,
/// an app is the edge of two outside origins and fails over when the first dies, and the seed's own push of the
/// camera plays at full rate and is kicked.
/// </summary>
[Collection("e2e")]
public class PeerPullTests
{
    private const int Fps = 25;
    private const int DecodeSeconds = 3;

    [Fact]
    public async Task An_rtsp_camera_is_pulled_over_tcp_always_on_and_over_udp_on_demand()
    {
        await using var camera = await RtspCamera.StartAsync("cam", "320x240");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/tcp",
            ["Sources:0:Url"] = camera.Url,
            ["Sources:1:Stream"] = "live/udp",
            ["Sources:1:Url"] = camera.Url,
            ["Sources:1:RtspTransport"] = "udp",
            ["Sources:1:OnDemand"] = "true",
        });
        await server.WaitPublishingAsync("live", "tcp", 25);
        Assert.Null(server.Hubs.Find(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "udp"))); // nobody reads it yet

        await Task.WhenAll(AssertPlaysAsync(server.Rtmp("live/tcp"), () => camera.Output), AssertPlaysAsync(server.Http("live/udp.flv"), () => camera.Output));

        using var http = new HttpClient();
        foreach (var (stream, alwaysOn) in new[] { ("live/tcp", true), ("live/udp", false) })
        {
            var entry = await SourceTests.SourceAsync(http, server, stream);
            var source = entry.GetProperty("source");
            Assert.True(State(entry) == "running", $"{stream}: {entry}");
            Assert.Equal("ffmpeg", source.GetProperty("kind").GetString());
            Assert.Equal(camera.Url, source.GetProperty("url").GetString());
            Assert.Equal(alwaysOn, source.GetProperty("always_on").GetBoolean());
            Assert.Equal(0, source.GetProperty("restarts").GetInt32());
            Assert.True(entry.GetProperty("publishing").GetBoolean(), entry.ToString());
        }

        // Each pull asked for its transport: the UDP one's ffmpeg reads RTP over UDP.
        Assert.Equal(1, FfmpegReading(camera.Url, "-rtsp_transport udp"));
        Assert.Equal(1, FfmpegReading(camera.Url, "-rtsp_transport tcp"));
    }

    [Fact]
    public async Task A_stream_on_nginx_rtmp_is_pulled_by_the_platforms_own_client()
    {
        await using var nginx = await NginxRtmp.StartAsync();
        await using var encoder = Ffmpeg.Publish(nginx.Url("live", "s"));
        await WaitPublishedAsync(nginx, "s");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/relay",
            ["Sources:0:Url"] = nginx.Url("live", "s"),
            ["Sources:0:OnDemand"] = "true",
        });

        await Task.WhenAll(AssertPlaysAsync(server.Rtmp("live/relay"), () => nginx.ErrorLog), AssertPlaysAsync(server.Http("live/relay.flv"), () => nginx.ErrorLog));

        using var http = new HttpClient();
        var entry = await SourceTests.SourceAsync(http, server, "live/relay");
        Assert.True(State(entry) == "running", entry.ToString());
        Assert.Equal("rtmp", entry.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal(0, FfmpegReading(nginx.Url("live", "s"))); // no ffmpeg: the platform's own client
        Assert.Contains("play: name='s'", nginx.ErrorLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_srt_stream_is_pulled_from_ffmpegs_listener()
    {
        await using var sender = await SrtSender.StartAsync(await Inputs.SmallFlvAsync());
        var url = $"{sender.Url}?mode=caller";
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/srt",
            ["Sources:0:Url"] = url,
        });
        await server.WaitPublishingAsync("live", "srt", 25);

        await AssertPlaysAsync(server.Rtmp("live/srt"), () => sender.Output);

        using var http = new HttpClient();
        var entry = await SourceTests.SourceAsync(http, server, "live/srt");
        Assert.True(State(entry) == "running", entry.ToString());
        Assert.Equal("ffmpeg", entry.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal(url, entry.GetProperty("source").GetProperty("url").GetString());
    }

    [Fact]
    public async Task An_hls_stream_of_an_upstream_node_is_pulled()
    {
        await using var upstream = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Hls:Window"] = "00:00:06",
        });
        await using var encoder = Ffmpeg.Publish(upstream.Rtmp("live/s1"));
        var playlist = Path.Combine(upstream.StorageRoot, "hls", "live", "s1.m3u8");
        await Eventually.TrueAsync(() => File.Exists(playlist) && File.ReadAllText(playlist).Split("#EXTINF").Length > 3, TimeSpan.FromSeconds(30), "the upstream's playlist with 3 fragments");

        var url = upstream.Http("live/s1.m3u8");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/hls",
            ["Sources:0:Url"] = url,
        });
        await server.WaitPublishingAsync("live", "hls", 25);

        await AssertPlaysAsync(server.Http("live/hls.flv"));

        using var http = new HttpClient();
        var entry = await SourceTests.SourceAsync(http, server, "live/hls");
        Assert.True(State(entry) == "running", entry.ToString());
        Assert.Equal("ffmpeg", entry.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal(url, entry.GetProperty("source").GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_frozen_rtsp_camera_is_restarted_by_the_watchdog_and_playback_goes_on()
    {
        // Every session of this camera freezes 3 s after it started: open, silent.
        await using var camera = await RtspCamera.StartAsync("cam", "320x240", freezeAfter: TimeSpan.FromSeconds(3));
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/cam",
            ["Sources:0:Url"] = camera.Url,
            ["Sources:0:StallTimeout"] = "00:00:02",
        });
        await server.WaitPublishingAsync("live", "cam", 10);
        await using var player = await CountingPlayer.StartAsync(server.Rtmp("live/cam"));
        await Eventually.TrueAsync(() => player.Video > 25, TimeSpan.FromSeconds(10), "frames before the freeze");

        using var http = new HttpClient();
        JsonElement source = default;
        await Eventually.TrueAsync(async () =>
        {
            source = (await SourceTests.SourceAsync(http, server, "live/cam")).GetProperty("source");
            return source.GetProperty("restarts").GetInt32() >= 1;
        }, TimeSpan.FromSeconds(20), "the watchdog restarted the frozen pull");
        Assert.Matches("(?i)stall", source.GetProperty("last_error").GetString() ?? string.Empty);

        // The same player gets frames again from the restarted pull.
        var before = player.Video;
        await Eventually.TrueAsync(() => player.Video > before + 25, TimeSpan.FromSeconds(15), $"frames after the restart ({before} before)\n{camera.Output}");
        Assert.False(player.Reading.IsCompleted, player.Reading.Exception?.ToString());
    }

    [Fact]
    public async Task An_rtsp_mount_that_does_not_exist_fails_with_a_clear_reason_and_stops_retrying()
    {
        await using var camera = await RtspCamera.StartAsync("cam", "320x240");
        var url = $"rtsp://127.0.0.1:{camera.Port}/nothing";
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/ghost",
            ["Sources:0:Url"] = url,
        });

        using var http = new HttpClient();
        JsonElement source = default;
        await Eventually.TrueAsync(async () =>
        {
            source = (await SourceTests.SourceAsync(http, server, "live/ghost")).GetProperty("source");
            return source.GetProperty("state").GetString() == "failed";
        }, TimeSpan.FromSeconds(30), "the source gave up");
        var reason = source.GetProperty("reason").GetString() ?? string.Empty;
        Assert.Contains("404", reason, StringComparison.Ordinal);
        Assert.Contains("retrying does not help", reason, StringComparison.Ordinal);

        // Given up for good: no ffmpeg left, no more tries.
        var restarts = source.GetProperty("restarts").GetInt32();
        Assert.Equal(0, FfmpegReading(url));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var later = (await SourceTests.SourceAsync(http, server, "live/ghost")).GetProperty("source");
        Assert.Equal("failed", later.GetProperty("state").GetString());
        Assert.Equal(restarts, later.GetProperty("restarts").GetInt32());
        Assert.Equal(0, FfmpegReading(url));
    }

    [Fact]
    public async Task An_edge_of_two_nginx_origins_fails_over_to_the_second_when_the_first_dies_mid_play()
    {
        await using var origin1 = await NginxRtmp.StartAsync();
        await using var origin2 = await NginxRtmp.StartAsync();
        await using var encoder1 = Ffmpeg.Publish(origin1.Url("live", "s1"));
        await using var encoder2 = Ffmpeg.Publish(origin2.Url("live", "s1"));
        await Task.WhenAll(WaitPublishedAsync(origin1, "s1"), WaitPublishedAsync(origin2, "s1"));
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "edge",
            ["Apps:0:Origins:0"] = $"rtmp://127.0.0.1:{origin1.RtmpPort}/live",
            ["Apps:0:Origins:1"] = $"rtmp://127.0.0.1:{origin2.RtmpPort}/live",
        });
        using var http = new HttpClient();

        await using var player = await CountingPlayer.StartAsync(server.Rtmp("edge/s1"));
        await Eventually.TrueAsync(() => player.Video > 50, TimeSpan.FromSeconds(15), "frames from the first origin");
        var source = (await SourceTests.SourceAsync(http, server, "edge/s1")).GetProperty("source");
        Assert.Equal("origin", source.GetProperty("kind").GetString());
        Assert.Equal("running", source.GetProperty("state").GetString());
        Assert.Contains(origin1.Url("live", "s1"), source.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A stream neither origin has, played meanwhile: refused in bounded time (its start timeout), not left waiting for ever.
        await using var ghost = await CountingPlayer.StartAsync(server.Rtmp("edge/none"));
        var clock = Stopwatch.StartNew();

        // The first origin dies mid-play: the same player goes on with the second's frames within a few seconds.
        await origin1.DisposeAsync();
        var before = player.Video;
        await Eventually.TrueAsync(() => player.Video > before + 25, TimeSpan.FromSeconds(8), "frames from the second origin");
        Assert.False(player.Reading.IsCompleted, player.Reading.Exception?.ToString());
        await Eventually.TrueAsync(async () =>
        {
            source = (await SourceTests.SourceAsync(http, server, "edge/s1")).GetProperty("source");
            return source.GetProperty("state").GetString() == "running"
                && source.GetProperty("reason").GetString()!.Contains(origin2.Url("live", "s1"), StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5), "the source running from the second origin");
        Assert.True(source.GetProperty("restarts").GetInt32() >= 1, source.ToString());
        Assert.Contains("play: name='s1'", origin2.ErrorLog, StringComparison.Ordinal);

        var ended = await Task.WhenAny(ghost.Reading, Task.Delay(TimeSpan.FromSeconds(20)));
        var refused = (await SourceTests.SourceAsync(http, server, "edge/none")).GetProperty("source");
        Assert.True(ended == ghost.Reading, $"the player of a stream no origin has still waits after {clock.Elapsed.TotalSeconds:0} s: {refused}");
        Assert.Equal(0, ghost.Video);
        var why = $"{refused.GetProperty("reason").GetString()} {refused.GetProperty("last_error").GetString()}";
        Assert.Matches("no media|not published|no audio or video", why);
    }

    [Fact]
    public async Task The_seeds_push_of_the_camera_plays_at_full_rate_and_its_client_is_kicked()
    {
        await using var camera = await RtspCamera.StartAsync("cam");
        await using var server = await TestServer.StartAsync();

        // The seed's own command.
        await using var push = Ffmpeg.Start("ffmpeg",
            ["-hide_banner", "-nostdin", "-loglevel", "warning", "-rtsp_transport", "tcp", "-i", camera.Url, "-c", "copy", "-f", "flv", server.Rtmp("live/s1")]);
        await server.WaitPublishingAsync("live", "s1", 25);
        await AssertPlaysAsync(server.Rtmp("live/s1"), () => push.Stderr);

        using var http = new HttpClient();
        var clients = (await ApiCalls.GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients");
        var publisher = clients.EnumerateArray().Single(c => c.GetProperty("type").GetString() == "fmle-publish" && c.GetProperty("name").GetString() == "s1");
        var (status, body) = await ApiCalls.SendAsync(http, HttpMethod.Delete, server.Api($"/api/v1/clients/{publisher.GetProperty("id").GetString()}"));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await Eventually.TrueAsync(() => push.HasExited, TimeSpan.FromSeconds(15), "the kicked ffmpeg exited");
        Assert.False(server.Hubs.Find(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "s1")) is { IsPublishing: true });
    }

    /// <summary>
    /// Plays <paramref name="url"/> from the platform with the real ffprobe, then ffmpeg: H.264 and AAC, and
    /// <see cref="DecodeSeconds"/> s of video decoded with at least 90 % of 25 frames a second. The probe starts an
    /// on-demand pull, so the decode joins a running stream at its cached keyframe: the very first reader of a pull
    /// from nginx-rtmp gets audio up to a GOP before the first keyframe (nginx holds video back to a keyframe), which
    /// ffmpeg's RTMP reader counts in its window, not a frame lost.
    /// </summary>
    private static async Task AssertPlaysAsync(string url, Func<string>? peerOutput = null)
    {
        var streams = await Probe.StreamsAsync(url);
        Assert.True(streams.Any(s => s.CodecName == "h264") && streams.Any(s => s.CodecName == "aac"), $"{url}: {string.Join(", ", streams.Select(s => s.CodecName))}");
        var (exit, errors, frames) = await Probe.DecodeAsync(url, DecodeSeconds);
        Assert.True(exit == 0, $"{url}: ffmpeg exited with {exit}: {errors}\n{peerOutput?.Invoke()}");
        Assert.True(frames >= 0.9 * Fps * DecodeSeconds, $"{url}: {frames} frames in {DecodeSeconds} s, under 90 % of {Fps} fps: {errors}");
    }

    private static string? State(JsonElement entry) => entry.GetProperty("source").GetProperty("state").GetString();

    /// <summary>Waits until nginx-rtmp logs the publish of <paramref name="stream"/>.</summary>
    private static Task WaitPublishedAsync(NginxRtmp nginx, string stream) =>
        Eventually.TrueAsync(() => nginx.ErrorLog.Contains($"publish: name='{stream}'", StringComparison.Ordinal), TimeSpan.FromSeconds(15), $"nginx-rtmp publishing {stream}");

    /// <summary>The ffmpeg processes on this machine that read <paramref name="url"/> (with <paramref name="also"/> in their command line).</summary>
    private static int FfmpegReading(string url, string? also = null)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.StartsWith("ffmpeg", StringComparison.Ordinal) || cmdline.Contains("/ffmpeg\0", StringComparison.Ordinal))
                {
                    var words = cmdline.Replace('\0', ' ');
                    count += words.Contains($"-i {url} ", StringComparison.Ordinal) && (also is null || words.Contains(also, StringComparison.Ordinal)) ? 1 : 0;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return count;
    }

    /// <summary>A long RTMP player (the load tool's client) counting the video messages it receives.</summary>
    private sealed class CountingPlayer : IAsyncDisposable
    {
        private readonly RtmpClient _client;
        private readonly CancellationTokenSource _stop = new();
        private int _video;

        private CountingPlayer(RtmpClient client)
        {
            _client = client;
            Reading = Task.Run(() => client.ReceiveAsync((header, _) =>
            {
                if ((byte)header.Type == 9 && header.Length > 0)
                {
                    Interlocked.Increment(ref _video);
                }

                return true;
            }, _stop.Token));
        }

        public int Video => Volatile.Read(ref _video);

        /// <summary>Ends when the server ends the play (an exception: the connection closed).</summary>
        public Task Reading { get; }

        public string? LastStatus => _client.LastStatusCode;

        public static async Task<CountingPlayer> StartAsync(string url)
        {
            var client = await RtmpClient.ConnectAsync(url);
            try
            {
                await client.PlayAsync();
            }
            catch
            {
                client.Dispose();
                throw;
            }

            return new CountingPlayer(client);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _client.Dispose();
            await Reading.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }
    }
}
