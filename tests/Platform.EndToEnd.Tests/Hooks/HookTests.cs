using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Endpoints;
using Platform.Api.Hooks;
using Platform.Api.Hosting;
using Platform.Streams;

namespace Platform.EndToEnd.Tests.Hooks;

/// <summary>
/// SRS-compatible HTTP callbacks end to end: a real node, real ffmpeg/ffprobe clients and an operator's
/// hook server on loopback that records what it receives.
/// </summary>
[Collection("e2e")]
public class HookTests
{
    private static readonly string[] ConnectFields = ["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "stream", "param", "tcUrl", "pageUrl"];
    private static readonly string[] StreamFields = ["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param", "stream_url", "stream_id"];
    private static readonly string[] PlayFields = ["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "stream", "tcUrl", "param", "pageUrl", "stream_url", "stream_id"];
    private static readonly string[] CloseFields = ["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "send_bytes", "recv_bytes"];

    private static StreamKey Key(string app, string stream) => new(StreamKey.DefaultVhost, app, stream);

    private static bool Publishing(TestServer server, string app, string stream) => server.Hubs.Find(Key(app, stream)) is { IsPublishing: true };

    [Fact]
    public async Task Srs_bodies_reach_the_hook_server_for_a_publisher_and_its_players()
    {
        await using var hooks = await HookServer.StartAsync();
        var url = hooks.Url("/events");
        var settings = new Dictionary<string, string?> { ["Apps:0:Hls:Enabled"] = "false", ["Hooks:Rules:0:App"] = "live" };
        foreach (var action in new[] { "OnConnect", "OnClose", "OnPublish", "OnUnpublish", "OnPlay", "OnStop" })
        {
            settings[$"Hooks:Rules:0:{action}:0"] = url;
        }

        await using var server = await TestServer.StartAsync(settings);
        var node = server.Services.GetRequiredService<NodeIdentity>();
        using var scrape = new HttpClient();
        double AcceptedPublishHooks(string text) =>
            Telemetry.PrometheusText.Parse(text).Value("platform_hook_calls_total", ("event", "on_publish"), ("outcome", "accepted")) is var v && double.IsNaN(v) ? 0 : v;
        var publishHooksBefore = AcceptedPublishHooks(await scrape.GetStringAsync(server.Management("/metrics")));

        // Hook servers are asked last, after any other access check allowed.
        Assert.IsType<HookAccessCheck>(server.Services.GetServices<Streams.Access.IAccessCheck>().Last());
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("live/s1?token=abc"), seconds: 4))
        {
            await server.WaitPublishingAsync("live", "s1");
            await Probe.StreamsAsync(server.Rtmp("live/s1?viewer=rtmp"));
            await Probe.StreamsAsync(server.Http("live/s1.flv?viewer=flv"));
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(publisher.ExitCode == 0, publisher.Stderr);
        }

        await Eventually.TrueAsync(() => hooks.Actions("on_unpublish").Count == 1 && hooks.Actions("on_stop").Count == 2 && hooks.Actions("on_close").Count == 2,
            TimeSpan.FromSeconds(20), $"unpublish, two stops and two closes; got {string.Join(", ", hooks.Calls.Select(c => c.Action))}");
        Assert.All(hooks.Calls, c =>
        {
            Assert.Equal("/events", c.Path);
            Assert.Equal(node.ServerId, c.Field("server_id"));
            Assert.Equal(node.ServiceId, c.Field("service_id"));
            Assert.Equal("127.0.0.1", c.Field("ip"));
            Assert.Equal(StreamKey.DefaultVhost, c.Field("vhost"));
            Assert.Equal("live", c.Field("app"));
        });
        var rtmpTcUrl = $"rtmp://127.0.0.1:{server.RtmpPort}/live";

        var publish = Assert.Single(hooks.Actions("on_publish"));
        var publisherId = publish.Field("client_id");

        // Each call is counted, with its latency, on the scrape endpoint.
        var metrics = await scrape.GetStringAsync(server.Management("/metrics"));
        Assert.Equal(publishHooksBefore + 1, AcceptedPublishHooks(metrics));
        Assert.Contains("platform_hook_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Equal(StreamFields, publish.FieldNames);
        Assert.Equal(8, publisherId.Length);
        Assert.Equal((rtmpTcUrl, "s1", "?token=abc", "/live/s1", StreamDirectory.IdOf(Key("live", "s1"))),
            (publish.Field("tcUrl"), publish.Field("stream"), publish.Field("param"), publish.Field("stream_url"), publish.Field("stream_id")));

        var connect = Assert.Single(hooks.Actions("on_connect"), c => c.Field("client_id") == publisherId);
        Assert.Equal(ConnectFields, connect.FieldNames);
        Assert.Equal((rtmpTcUrl, string.Empty, string.Empty, string.Empty), (connect.Field("tcUrl"), connect.Field("stream"), connect.Field("param"), connect.Field("pageUrl")));
        Assert.True(connect.At <= publish.At);

        var unpublish = Assert.Single(hooks.Actions("on_unpublish"));
        Assert.Equal(publish.Body.Replace("\"on_publish\"", "\"on_unpublish\"", StringComparison.Ordinal), unpublish.Body);

        var close = Assert.Single(hooks.Actions("on_close"), c => c.Field("client_id") == publisherId);
        Assert.Equal(CloseFields, close.FieldNames);
        Assert.True(close.Json.GetProperty("recv_bytes").GetInt64() > 20_000, close.Body);
        Assert.True(close.Json.GetProperty("send_bytes").GetInt64() > 0, close.Body);

        // A client's notifications arrive in the order they happened, as SRS sends them.
        Assert.True(unpublish.At <= close.At);

        var plays = hooks.Actions("on_play");
        Assert.Equal(2, plays.Count);
        Assert.All(plays, p => Assert.Equal(PlayFields, p.FieldNames));
        var rtmpPlay = Assert.Single(plays, p => p.Field("param") == "?viewer=rtmp");
        var flvPlay = Assert.Single(plays, p => p.Field("param") == "?viewer=flv");
        Assert.Equal((rtmpTcUrl, "s1", "/live/s1"), (rtmpPlay.Field("tcUrl"), rtmpPlay.Field("stream"), rtmpPlay.Field("stream_url")));
        Assert.Equal(($"http://127.0.0.1:{server.HttpPort}/live", "s1", string.Empty), (flvPlay.Field("tcUrl"), flvPlay.Field("stream"), flvPlay.Field("pageUrl")));
        Assert.NotEqual(rtmpPlay.Field("client_id"), flvPlay.Field("client_id"));
        foreach (var play in plays)
        {
            var stop = Assert.Single(hooks.Actions("on_stop"), s => s.Field("client_id") == play.Field("client_id"));
            if (hooks.Actions("on_close").FirstOrDefault(c => c.Field("client_id") == play.Field("client_id")) is { } closed)
            {
                Assert.True(stop.At <= closed.At, "on_stop before on_close");
            }

            Assert.Equal(StreamFields, stop.FieldNames);
            Assert.Equal((play.Field("param"), play.Field("tcUrl"), "s1"), (stop.Field("param"), stop.Field("tcUrl"), stop.Field("stream")));
        }

        var playerClose = Assert.Single(hooks.Actions("on_close"), c => c.Field("client_id") == rtmpPlay.Field("client_id"));
        Assert.True(playerClose.Json.GetProperty("send_bytes").GetInt64() > 1000, playerClose.Body);
        Assert.Equal(2, hooks.Actions("on_connect").Count);
    }

    [Fact]
    public async Task Refusing_hooks_stop_the_publish_or_play_and_disconnect_the_client()
    {
        await using var hooks = await HookServer.StartAsync();
        var refused = HookServer.RefusedUrl();
        var settings = new Dictionary<string, string?>
        {
            ["Apps:0:Hls:Enabled"] = "false",
            ["Hooks:Timeout"] = "00:00:01",
            ["Hooks:Rules:0:App"] = "body1",
            ["Hooks:Rules:0:OnPublish:0"] = hooks.Url("/deny"),
            ["Hooks:Rules:1:App"] = "http500",
            ["Hooks:Rules:1:OnPublish:0"] = hooks.Url("/500"),
            ["Hooks:Rules:2:App"] = "garbage",
            ["Hooks:Rules:2:OnPublish:0"] = hooks.Url("/garbage"),
            ["Hooks:Rules:3:App"] = "timeout",
            ["Hooks:Rules:3:OnPublish:0"] = hooks.Url("/hang"),
            ["Hooks:Rules:4:App"] = "refused",
            ["Hooks:Rules:4:OnPublish:0"] = refused,
            ["Hooks:Rules:5:App"] = "noconnect",
            ["Hooks:Rules:5:OnConnect:0"] = hooks.Url("/deny"),
            ["Hooks:Rules:5:OnPublish:0"] = hooks.Url("/never"),
            ["Hooks:Rules:6:App"] = "multideny",
            ["Hooks:Rules:6:OnPublish:0"] = hooks.Url("/first"),
            ["Hooks:Rules:6:OnPublish:1"] = hooks.Url("/deny"),
            ["Hooks:Rules:6:OnPublish:2"] = hooks.Url("/never"),
            ["Hooks:Rules:7:App"] = "noplay",
            ["Hooks:Rules:7:OnPlay:0"] = hooks.Url("/deny"),
            ["Hooks:Rules:8:App"] = "multi",
            ["Hooks:Rules:8:OnPublish:0"] = hooks.Url("/first"),
            ["Hooks:Rules:8:OnPublish:1"] = hooks.Url("/ok-json"),
        };
        await using var server = await TestServer.StartAsync(settings);

        string[] refusedApps = ["body1", "http500", "garbage", "timeout", "refused", "noconnect", "multideny"];
        var publishers = refusedApps.Select(app => Ffmpeg.Publish(server.Rtmp($"{app}/s"), seconds: 60)).ToList();
        await using var allowed = Ffmpeg.Publish(server.Rtmp("multi/s"));
        await using var noplay = Ffmpeg.Publish(server.Rtmp("noplay/s"));
        try
        {
            for (var i = 0; i < refusedApps.Length; i++)
            {
                await publishers[i].WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.True(publishers[i].ExitCode != 0, $"{refusedApps[i]}: ffmpeg published");
                Assert.False(Publishing(server, refusedApps[i], "s"), refusedApps[i]);
            }
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }

        await Eventually.TrueAsync(() => !server.Control.Clients.Snapshot().Any(c => refusedApps.Contains(c.Info.Stream.App)),
            TimeSpan.FromSeconds(10), "refused clients disconnected");
        string[] AppsCalled(string path, string action) => [.. hooks.CallsTo(path).Where(c => c.Action == action).Select(c => c.Field("app")).Order()];
        Assert.Equal(["body1", "multideny"], AppsCalled("/deny", "on_publish"));
        Assert.Equal(["http500"], AppsCalled("/500", "on_publish"));
        Assert.Equal(["garbage"], AppsCalled("/garbage", "on_publish"));
        Assert.Equal(["timeout"], AppsCalled("/hang", "on_publish"));
        Assert.Equal(["noconnect"], AppsCalled("/deny", "on_connect"));
        Assert.Empty(hooks.CallsTo("/never"));

        // Several URLs: called in order, and every one must say yes.
        await server.WaitPublishingAsync("multi", "s");
        var multi = hooks.Calls.Where(c => c.Field("app") == "multi").Select(c => c.Path).ToList();
        Assert.Equal(["/first", "/ok-json"], multi);
        Assert.True(hooks.CallsTo("/first").Single(c => c.Field("app") == "multideny").At <= hooks.CallsTo("/deny").Single(c => c.Field("app") == "multideny").At);

        // A refused player: RTMP gets an error status and is disconnected, HTTP-FLV a 403.
        await server.WaitPublishingAsync("noplay", "s");
        var (exit, _, stderr) = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", "-rw_timeout", "10000000", "-show_streams", server.Rtmp("noplay/s")], TimeSpan.FromSeconds(30));
        Assert.True(exit != 0, "ffprobe played a refused stream");
        using var http = new HttpClient();
        var flv = await http.GetAsync(server.Http("noplay/s.flv"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, flv.StatusCode);
        Assert.Equal(2, hooks.CallsTo("/deny").Count(c => c.Action == "on_play"));
        Assert.Equal(0, server.Players(Key("noplay", "s")));
        Assert.True(Publishing(server, "noplay", "s"), stderr);
        Assert.False(noplay.HasExited);
    }

    [Fact]
    public async Task A_slow_hook_for_one_stream_does_not_delay_another_stream()
    {
        await using var hooks = await HookServer.StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hooks.On("/gate", async (_, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return (200, "0");
        });
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:Hls:Enabled"] = "false",
            ["Hooks:Timeout"] = "00:00:30",
            ["Hooks:Rules:0:App"] = "slow",
            ["Hooks:Rules:0:OnPublish:0"] = hooks.Url("/gate"),
            ["Hooks:Rules:1:App"] = "fast",
            ["Hooks:Rules:1:OnPublish:0"] = hooks.Url("/ok"),
        });

        await using var slow1 = Ffmpeg.Publish(server.Rtmp("slow/a"));
        await using var slow2 = Ffmpeg.Publish(server.Rtmp("slow/b"));
        await Eventually.TrueAsync(() => hooks.CallsTo("/gate").Count == 2, TimeSpan.FromSeconds(20), "both slow hooks called");

        var clock = Stopwatch.StartNew();
        await using var fast = Ffmpeg.Publish(server.Rtmp("fast/c"));
        await server.WaitPublishingAsync("fast", "c", frames: 0);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"fast publish took {clock.Elapsed}");
        Assert.False(gate.Task.IsCompleted);
        Assert.False(Publishing(server, "slow", "a") || Publishing(server, "slow", "b"));

        gate.SetResult();
        await server.WaitPublishingAsync("slow", "a");
        await server.WaitPublishingAsync("slow", "b");
        Assert.True(Publishing(server, "fast", "c"));
    }

    [Fact]
    public async Task Failed_notifications_are_retried_a_bounded_number_of_times()
    {
        await using var hooks = await HookServer.StartAsync();
        var flaky = 0;
        hooks.On("/flaky", (_, _) => Task.FromResult(Interlocked.Increment(ref flaky) <= 2 ? (503, "busy") : (200, "0")));
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:Hls:Enabled"] = "false",
            ["Hooks:Retries"] = "2",
            ["Hooks:RetryDelay"] = "00:00:00.100",
            ["Hooks:Rules:0:App"] = "live",
            ["Hooks:Rules:0:OnUnpublish:0"] = hooks.Url("/flaky"),
            ["Hooks:Rules:0:OnClose:0"] = hooks.Url("/500"),
            ["Hooks:Rules:0:OnClose:1"] = hooks.Url("/deny"),
            ["Hooks:Rules:0:OnStop:0"] = HookServer.RefusedUrl(),
        });

        await using (var publisher = Ffmpeg.Publish(server.Rtmp("live/r"), seconds: 1))
        {
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() => hooks.CallsTo("/flaky").Count == 3 && hooks.CallsTo("/500").Count == 3,
            TimeSpan.FromSeconds(20), "on_unpublish delivered at the third attempt, on_close given up after three");
        var unpublish = hooks.CallsTo("/flaky");
        Assert.All(unpublish, c => Assert.Equal(unpublish[0].Body, c.Body));
        Assert.True(unpublish[2].At - unpublish[0].At >= TimeSpan.FromMilliseconds(250), "retries wait 100 ms, then 200 ms");

        // A received "no" to a notification is not sent again.
        Assert.Single(hooks.CallsTo("/deny"));

        // Past the last retry nothing more is sent: the next retry would have come 400 ms later.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, hooks.CallsTo("/500").Count);
        Assert.Equal(3, hooks.CallsTo("/flaky").Count);
        Assert.Single(hooks.CallsTo("/deny"));
    }

    [Fact]
    public async Task On_dvr_and_on_hls_name_the_files_and_the_publisher()
    {
        await using var hooks = await HookServer.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "rec",
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Hls:Window"] = "00:00:10",
            ["Apps:0:Dvr:Enabled"] = "true",
            ["Apps:0:Dvr:Plan"] = "Session",
            ["Hooks:Rules:0:App"] = "rec",
            ["Hooks:Rules:0:OnPublish:0"] = hooks.Url("/publish"),
            ["Hooks:Rules:0:OnDvr:0"] = hooks.Url("/dvr"),
            ["Hooks:Rules:0:OnHls:0"] = hooks.Url("/hls"),
        });
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("rec/cam?k=v"), seconds: 4))
        {
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() => hooks.CallsTo("/dvr").Count == 1 && hooks.CallsTo("/hls").Count >= 3, TimeSpan.FromSeconds(30), "on_dvr and on_hls");
        var publish = Assert.Single(hooks.CallsTo("/publish"));
        var dvr = Assert.Single(hooks.CallsTo("/dvr"));
        Assert.Equal(["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param", "cwd", "file", "stream_url", "stream_id"], dvr.FieldNames);
        Assert.Equal("on_dvr", dvr.Action);
        foreach (var field in new[] { "server_id", "service_id", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param", "stream_url", "stream_id" })
        {
            Assert.Equal(publish.Field(field), dvr.Field(field));
        }

        Assert.Equal("?k=v", dvr.Field("param"));
        Assert.Equal(Directory.GetCurrentDirectory(), dvr.Field("cwd"));
        var recording = Assert.Single(Directory.GetFiles(Path.Combine(server.StorageRoot, "dvr", "rec"), "cam.*.flv"));
        Assert.Equal(Path.GetFullPath(recording), Path.GetFullPath(dvr.Field("file")));

        var segments = hooks.CallsTo("/hls").OrderBy(c => c.Json.GetProperty("seq_no").GetInt64()).ToList();
        Assert.All(segments, s =>
        {
            Assert.Equal(["server_id", "service_id", "action", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param", "duration", "cwd", "file", "url", "m3u8", "m3u8_url", "seq_no", "stream_url", "stream_id"], s.FieldNames);
            Assert.Equal("on_hls", s.Action);
            Assert.Equal(publish.Field("client_id"), s.Field("client_id"));
            Assert.InRange(s.Json.GetProperty("duration").GetDouble(), 0.5, 2.5);
            Assert.Equal("rec/" + Path.GetFileName(s.Field("file")), s.Field("url"));
            Assert.StartsWith(Path.GetFullPath(Path.Combine(server.StorageRoot, "hls", "rec")), Path.GetFullPath(s.Field("file")), StringComparison.Ordinal);
            Assert.EndsWith(".ts", s.Field("file"), StringComparison.Ordinal);
            Assert.Equal(Path.GetFullPath(Path.Combine(server.StorageRoot, "hls", "rec", "cam.m3u8")), Path.GetFullPath(s.Field("m3u8")));
            Assert.Equal("rec/cam.m3u8", s.Field("m3u8_url"));
            Assert.Equal("/rec/cam", s.Field("stream_url"));
        });
        var numbers = segments.Select(s => s.Json.GetProperty("seq_no").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count).Select(i => numbers[0] + i), numbers);
    }

    [Fact]
    public async Task Edited_hook_rules_apply_to_new_connections_and_invalid_edits_are_refused()
    {
        await using var hooks = await HookServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("platform-hooks-");
        var file = Path.Combine(folder.FullName, "hooks.json");
        void Write(string url) => File.WriteAllText(file, $$"""{ "Hooks": { "Rules": [ { "App": "live", "OnPublish": [ "{{url}}" ] } ] } }""");
        Write(hooks.Url("/first"));
        try
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Apps:0:Hls:Enabled"] = "false" },
                configure: c => c.AddJsonFile(file, optional: false, reloadOnChange: true));
            var settings = server.Services.GetRequiredService<HookSettings>();
            string CurrentUrl() => settings.Current.UrlsFor(HookAction.OnPublish, StreamKey.DefaultVhost, "live").Single().ToString();

            await using var one = Ffmpeg.Publish(server.Rtmp("live/one"));
            await server.WaitPublishingAsync("live", "one");
            Assert.Single(hooks.CallsTo("/first"));

            Write(hooks.Url("/deny"));
            await Eventually.TrueAsync(() => CurrentUrl() == hooks.Url("/deny"), TimeSpan.FromSeconds(20), "rules reloaded");
            await using (var two = Ffmpeg.Publish(server.Rtmp("live/two")))
            {
                await two.WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.NotEqual(0, two.ExitCode);
            }

            Assert.Single(hooks.CallsTo("/deny"));
            var frames = server.Hubs.Find(Key("live", "one"))!.Stats.FramesIn;
            await Eventually.TrueAsync(() => server.Hubs.Find(Key("live", "one"))!.Stats.FramesIn > frames + 10, TimeSpan.FromSeconds(10), "the live publisher untouched");

            Write("ftp://nope/hook");
            await Eventually.TrueAsync(() => settings.LastProblem is not null, TimeSpan.FromSeconds(20), "invalid edit seen");
            Assert.Contains("Hooks:Rules:0:OnPublish:0 = ftp://nope/hook", settings.LastProblem, StringComparison.Ordinal);
            Assert.Equal(hooks.Url("/deny"), CurrentUrl());

            Write(hooks.Url("/third"));
            await Eventually.TrueAsync(() => CurrentUrl() == hooks.Url("/third") && settings.LastProblem is null, TimeSpan.FromSeconds(20), "valid edit applied");
            await using var three = Ffmpeg.Publish(server.Rtmp("live/three"));
            await server.WaitPublishingAsync("live", "three");
            Assert.Single(hooks.CallsTo("/third"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_wrong_hook_url_stops_the_start_with_its_key()
    {
        var root = Directory.CreateTempSubdirectory("platform-hooks-start-");
        try
        {
            var ex = TestServer.StartRefused(new Dictionary<string, string?>
            {
                ["Storage:Root"] = root.FullName,
                ["Hooks:Rules:0:OnPublish:0"] = "http://127.0.0.1:8085/api/v1/streams",
                ["Hooks:Rules:0:OnPublish:1"] = "127.0.0.1:8085/api/v1/streams",
            });
            Assert.Contains("Hooks:Rules:0:OnPublish:1 = 127.0.0.1:8085/api/v1/streams: not an absolute http or https URL", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
