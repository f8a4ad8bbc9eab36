using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Streams;

namespace Platform.EndToEnd.Tests.Engines;

/// <summary>
/// Transcode engines with the real ffmpeg: renditions published back as streams of their own and routed
/// by their own rules, supervision (give-up, restart after a kill, operator control), loop refusal, and
/// the platform's own processes admitted past the security rules meant for outside clients.
/// </summary>
[Collection("e2e")]
public class TranscodeTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Renditions (any engine) get HLS and no DVR; sources get DVR, no HLS, and two engines.</summary>
    private static Dictionary<string, string?> Routing(params (string Name, int Width, int Height, string Codec)[] engines)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "live",
            ["Apps:0:Engine"] = "*",
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Dvr:Enabled"] = "false",
            ["Apps:1:App"] = "live",
            ["Apps:1:Hls:Enabled"] = "false",
            ["Apps:1:Dvr:Enabled"] = "true",
            ["Engines:InitialBackoff"] = "00:00:00.2",
            ["Engines:MaxFastFailures"] = "3",
            ["Engines:LogLines"] = "6",
        };
        for (var i = 0; i < engines.Length; i++)
        {
            var (name, width, height, codec) = engines[i];
            settings[$"Apps:1:Engines:{i}:Name"] = name;
            settings[$"Apps:1:Engines:{i}:Video:Codec"] = codec;
            settings[$"Apps:1:Engines:{i}:Video:Width"] = width.ToString();
            settings[$"Apps:1:Engines:{i}:Video:Height"] = height.ToString();
            settings[$"Apps:1:Engines:{i}:Video:Preset"] = "ultrafast";
            settings[$"Apps:1:Engines:{i}:Video:Bitrate"] = "300";
            settings[$"Apps:1:Engines:{i}:Audio:Bitrate"] = "48";
        }

        return settings;
    }

    private static async Task<JsonElement?> StreamAsync(TestServer server, string name)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams?count=1000"));
        return body.GetProperty("streams").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(s => s!.Value.GetProperty("name").GetString() == name);
    }

    private static async Task<JsonElement?> EngineAsync(TestServer server, string stream, string engine)
    {
        var s = await StreamAsync(server, stream);
        return s?.GetProperty("workers").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(w => w!.Value.GetProperty("name").GetString() == "engine-" + engine);
    }

    private static Task WaitEngineStateAsync(TestServer server, string stream, string engine, string state, TimeSpan timeout) =>
        Eventually.TrueAsync(async () => (await EngineAsync(server, stream, engine))?.GetProperty("state").GetString() == state, timeout, $"engine {engine} of {stream} {state}");

    /// <summary>The ffmpeg processes this node runs for its engines (their command lines name its RTMP port and a ticket).</summary>
    private static List<Process> EngineProcesses(TestServer server) =>
        [.. Process.GetProcessesByName("ffmpeg").Where(p =>
        {
            var line = File.Exists($"/proc/{p.Id}/cmdline") ? File.ReadAllText($"/proc/{p.Id}/cmdline") : string.Empty;
            return line.Contains("platform_token=", StringComparison.Ordinal) && line.Contains($"127.0.0.1:{server.RtmpPort}/", StringComparison.Ordinal);
        })];

    [Fact]
    public async Task Renditions_of_a_720p_publish_are_streams_of_their_own_routed_by_their_own_rules()
    {
        await using var server = await TestServer.StartAsync(Routing(("480p", 854, 480, "libx264"), ("240p", 426, 240, "libx264")));
        var publisher = Ffmpeg.Publish(server.Rtmp("live/cam"), seconds: 14, size: "1280x720");
        await using (publisher)
        {
            await server.WaitPublishingAsync("live", "cam_480p");
            await server.WaitPublishingAsync("live", "cam_240p");

            // Each rendition has the engine's size and codecs, read over RTMP and from its HLS.
            var rtmp = await Probe.StreamsAsync(server.Rtmp("live/cam_480p"));
            Assert.Contains(rtmp, s => s is { CodecType: "video", CodecName: "h264", Width: 854, Height: 480 });
            Assert.Contains(rtmp, s => s is { CodecType: "audio", CodecName: "aac" });
            await Eventually.TrueAsync(async () => (await Http.GetAsync(server.Http("live/cam_240p.m3u8"))).IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the 240p playlist");
            var hls = await Probe.StreamsAsync(server.Http("live/cam_240p.m3u8"));
            Assert.Contains(hls, s => s is { CodecType: "video", CodecName: "h264", Width: 426, Height: 240 });
            var source = await Probe.StreamsAsync(server.Rtmp("live/cam"));
            Assert.Contains(source, s => s is { CodecType: "video", Width: 1280, Height: 720 });

            // The source has no HLS by its rule.
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(server.Http("live/cam.m3u8"))).StatusCode);

            // Engines are the source's workers, not clients; a rendition knows where it came from.
            var clients = (await Http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/clients?count=1000"))).GetProperty("clients").EnumerateArray().ToList();
            var publishers = clients.Where(c => c.GetProperty("publish").GetBoolean()).Select(c => c.GetProperty("url").GetString()).ToList();
            Assert.Equal(["/live/cam"], publishers);
            var cam = (await StreamAsync(server, "cam"))!.Value;
            var engines = cam.GetProperty("workers").EnumerateArray().Where(w => w.GetProperty("name").GetString()!.StartsWith("engine-", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, engines.Count);
            Assert.All(engines, e => Assert.Equal("running", e.GetProperty("state").GetString()));
            Assert.Equal(1, cam.GetProperty("clients").GetInt32()); // the outside publisher alone
            var lineage = (await StreamAsync(server, "cam_480p"))!.Value.GetProperty("lineage").EnumerateArray().Single();
            Assert.Equal("480p", lineage.GetProperty("engine").GetString());
            Assert.Equal("__defaultVhost__/live/cam", lineage.GetProperty("source_name").GetString());
            var list = await Http.GetFromJsonAsync<JsonElement>(server.Api($"/api/v1/streams/{cam.GetProperty("id").GetString()}/engines"));
            Assert.Equal(["480p", "240p"], list.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
            Assert.Equal(2, EngineProcesses(server).Count);
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(40));
        }

        // When the source ends its engines stop, and so do the renditions; only the source was recorded.
        await Eventually.TrueAsync(() => EngineProcesses(server).Count == 0, TimeSpan.FromSeconds(20), "no engine process left");
        await Eventually.TrueAsync(async () => !ClusterPublished(await StreamAsync(server, "cam_480p")), TimeSpan.FromSeconds(20), "480p unpublished");
        var dvr = Path.Combine(server.StorageRoot, "dvr", "live");
        await Eventually.TrueAsync(() => Directory.Exists(dvr) && Directory.GetFiles(dvr, "cam.*.flv").Length == 1, TimeSpan.FromSeconds(30), "the source's recording");
        Assert.Empty(Directory.GetFiles(dvr, "cam_*"));
    }

    private static bool ClusterPublished(JsonElement? stream) =>
        stream is { } s && s.GetProperty("publish").GetProperty("active").GetBoolean();

    [Fact]
    public async Task A_failing_engine_gives_up_after_its_retries_and_operators_start_and_stop_engines()
    {
        await using var server = await TestServer.StartAsync(Routing(("low", 160, 120, "libx264"), ("bad", 160, 120, "nosuchcodec")));
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/ops"), seconds: 120);
        await server.WaitPublishingAsync("live", "ops_low");
        await WaitEngineStateAsync(server, "ops", "bad", "failed", TimeSpan.FromSeconds(30));
        var bad = (await EngineAsync(server, "ops", "bad"))!.Value;
        Assert.False(bad.GetProperty("running").GetBoolean());
        Assert.Equal(2, bad.GetProperty("restarts").GetInt32()); // three runs, then no more (no respawn storm)
        Assert.Contains("Unknown encoder 'nosuchcodec'", bad.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var log = bad.GetProperty("log").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.InRange(log.Count, 1, 6); // Engines:LogLines bounds what is kept
        Assert.Contains(log, l => l.Contains("nosuchcodec", StringComparison.Ordinal));
        Assert.StartsWith("gave up after 3 failures in a row", bad.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var id = (await StreamAsync(server, "ops"))!.Value.GetProperty("id").GetString();
        using var stop = await Http.DeleteAsync(server.Api($"/api/v1/streams/{id}/engines/low"));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await Eventually.TrueAsync(() => EngineProcesses(server).Count == 0, TimeSpan.FromSeconds(20), "the stopped engine's ffmpeg gone");
        await Eventually.TrueAsync(async () => !ClusterPublished(await StreamAsync(server, "ops_low")), TimeSpan.FromSeconds(20), "its rendition unpublished");
        using (var again = await Http.DeleteAsync(server.Api($"/api/v1/streams/{id}/engines/low")))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using var start = await Http.PostAsync(server.Api($"/api/v1/streams/{id}/engines/low"), null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        await server.WaitPublishingAsync("live", "ops_low");

        // A failed engine is started over by an operator: it runs its retries again.
        using var retry = await Http.PostAsync(server.Api($"/api/v1/streams/{id}/engines/bad"), null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await Eventually.TrueAsync(async () => (await EngineAsync(server, "ops", "bad"))?.GetProperty("state").GetString() != "failed", TimeSpan.FromSeconds(10), "bad started again");
        await WaitEngineStateAsync(server, "ops", "bad", "failed", TimeSpan.FromSeconds(30));
        using var unknown = await Http.PostAsync(server.Api($"/api/v1/streams/{id}/engines/none"), null);
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("no engine named none", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_engine_is_restarted_and_its_rendition_comes_back()
    {
        await using var server = await TestServer.StartAsync(Routing(("low", 160, 120, "libx264")));
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/kill"), seconds: 120);
        await server.WaitPublishingAsync("live", "kill_low");
        var victim = Assert.Single(EngineProcesses(server));
        victim.Kill();
        await Eventually.TrueAsync(async () => (await EngineAsync(server, "kill", "low"))?.GetProperty("restarts").GetInt32() >= 1, TimeSpan.FromSeconds(20), "the engine restarted");
        await Eventually.TrueAsync(() => EngineProcesses(server).Any(p => p.Id != victim.Id), TimeSpan.FromSeconds(20), "a new ffmpeg");
        var key = new StreamKey(StreamKey.DefaultVhost, "live", "kill_low");
        await Eventually.TrueAsync(() => server.Hubs.Find(key) is { IsPublishing: true }, TimeSpan.FromSeconds(20), "the rendition published again");
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Rtmp("live/kill_low"), 2, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 25, $"{frames} frames");
        Assert.Contains("exited with code 137", (await EngineAsync(server, "kill", "low"))!.Value.GetProperty("log").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engines_whose_output_would_loop_are_refused_by_lineage()
    {
        var settings = new Dictionary<string, string?>
        {
            // One rule for sources and renditions alike: engines run on the sources only.
            ["Apps:0:App"] = "flat",
            ["Apps:0:Hls:Enabled"] = "false",
            ["Apps:0:Engines:0:Name"] = "low",
            ["Apps:0:Engines:0:Video:Width"] = "160",
            ["Apps:0:Engines:0:Video:Height"] = "120",
            ["Apps:0:Engines:0:Video:Preset"] = "ultrafast",
            ["Apps:0:Engines:1:Name"] = "self",
            ["Apps:0:Engines:1:Output"] = "[stream]",

            // A rule for renditions that names the same engine again: it must not run on its own output.
            ["Apps:1:App"] = "deep",
            ["Apps:1:Engine"] = "*",
            ["Apps:1:Hls:Enabled"] = "false",
            ["Apps:1:Engines:0:Name"] = "low",
            ["Apps:1:Engines:0:Video:Width"] = "160",
            ["Apps:1:Engines:0:Video:Height"] = "120",
            ["Apps:1:Engines:0:Video:Preset"] = "ultrafast",
            ["Apps:2:App"] = "deep",
            ["Apps:2:Hls:Enabled"] = "false",
            ["Apps:2:Engines:0:Name"] = "low",
            ["Apps:2:Engines:0:Video:Width"] = "160",
            ["Apps:2:Engines:0:Video:Height"] = "120",
            ["Apps:2:Engines:0:Video:Preset"] = "ultrafast",
        };
        await using var server = await TestServer.StartAsync(settings);
        await using var flat = Ffmpeg.Publish(server.Rtmp("flat/a"), seconds: 120);
        await using var deep = Ffmpeg.Publish(server.Rtmp("deep/b"), seconds: 120);
        await server.WaitPublishingAsync("flat", "a_low");
        await server.WaitPublishingAsync("deep", "b_low");

        var self = (await EngineAsync(server, "a", "self"))!.Value;
        Assert.False(self.GetProperty("running").GetBoolean());
        Assert.Contains("is its own source (loop)", self.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var again = (await EngineAsync(server, "b_low", "low"))!.Value;
        Assert.False(again.GetProperty("running").GetBoolean());
        Assert.Contains("was made by engine low already (loop)", again.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A rendition under a rule that does not set Engine runs no engines at all.
        var aLow = (await StreamAsync(server, "a_low"))!.Value;
        Assert.DoesNotContain(aLow.GetProperty("workers").EnumerateArray(), w => w.GetProperty("name").GetString()!.StartsWith("engine-", StringComparison.Ordinal));

        // Nothing more is ever published than the two renditions.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var names = (await Http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams?count=1000"))).GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["a", "a_low", "b", "b_low"], names);
        Assert.Equal(2, EngineProcesses(server).Count);
    }

    [Fact]
    public async Task Security_rules_for_outside_clients_do_not_refuse_the_platforms_own_engines()
    {
        var settings = Routing(("low", 160, 120, "libx264"));
        settings["Security:Rules:0:App"] = "live";
        settings["Security:Rules:0:PublishKeys:0"] = "k1";
        settings["Security:Rules:0:PlaySecret"] = "e2e-play-secret-for-engines";
        settings["Security:Rules:0:ConnectAccess:0"] = "allow 10.0.0.0/8";
        settings["Security:Rules:0:ConnectAccess:1"] = "allow 127.0.0.1";
        await using var server = await TestServer.StartAsync(settings);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/sec?key=k1"), seconds: 120);
        await server.WaitPublishingAsync("live", "sec_low");
        await WaitEngineStateAsync(server, "sec", "low", "running", TimeSpan.FromSeconds(20));

        // The rules are in force for outside clients: a player without a token is refused.
        var refused = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", server.Rtmp("live/sec_low")], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, refused.Exit);
    }

    [Fact]
    public async Task A_backend_chooses_which_engines_run_for_a_stream()
    {
        var port = TestServer.FreePorts(1)[0];
        using var backend = new HttpListener();
        backend.Prefixes.Add($"http://127.0.0.1:{port}/");
        backend.Start();
        var asked = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        var serving = Task.Run(async () =>
        {
            while (backend.IsListening)
            {
                HttpListenerContext call;
                try
                {
                    call = await backend.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using (var reader = new StreamReader(call.Request.InputStream))
                {
                    asked.Enqueue(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone());
                }

                var answer = System.Text.Encoding.UTF8.GetBytes("""{"code":0,"data":{"engines":["low"]}}""");
                call.Response.ContentType = "application/json";
                await call.Response.OutputStream.WriteAsync(answer);
                call.Response.Close();
            }
        });

        var settings = Routing(("low", 160, 120, "libx264"), ("mid", 320, 240, "libx264"));
        settings["Apps:1:EngineBackend"] = $"http://127.0.0.1:{port}/engines";
        await using var server = await TestServer.StartAsync(settings);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/biz"), seconds: 120);
        await server.WaitPublishingAsync("live", "biz_low");
        await WaitEngineStateAsync(server, "biz", "mid", "off", TimeSpan.FromSeconds(20));
        var mid = (await EngineAsync(server, "biz", "mid"))!.Value;
        Assert.False(mid.GetProperty("running").GetBoolean());
        Assert.Contains("not chosen by backend", mid.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Null(await StreamAsync(server, "biz_mid"));
        Assert.Single(EngineProcesses(server));
        var question = asked.First(q => q.GetProperty("engine").GetString() == "mid");
        Assert.Equal("on_engine", question.GetProperty("action").GetString());
        Assert.Equal("biz", question.GetProperty("stream").GetString());
        Assert.Equal("__defaultVhost__/live/biz_mid", question.GetProperty("output").GetString());

        // An operator can still start an engine the backend left off.
        var id = (await StreamAsync(server, "biz"))!.Value.GetProperty("id").GetString();
        using var start = await Http.PostAsync(server.Api($"/api/v1/streams/{id}/engines/mid"), null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        await server.WaitPublishingAsync("live", "biz_mid");
        backend.Stop();
        await serving;
    }

    [Fact]
    public async Task The_abr_master_playlist_lists_every_rendition_with_hls_and_their_segments_are_aligned()
    {
        var settings = Routing(("480p", 854, 480, "libx264"), ("240p", 426, 240, "libx264"));
        settings["Apps:0:Hls:Deterministic"] = "true";
        settings["Apps:0:Hls:Fragment"] = "00:00:02";
        await using var server = await TestServer.StartAsync(settings);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/abr"), seconds: 120, size: "1280x720");
        string master = string.Empty;
        await Eventually.TrueAsync(async () =>
        {
            using var answer = await Http.GetAsync(server.Http("live/abr_abr.m3u8"));
            master = await answer.Content.ReadAsStringAsync();
            return answer.IsSuccessStatusCode && master.Contains("abr_480p.m3u8", StringComparison.Ordinal) && master.Contains("abr_240p.m3u8", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "both renditions in the master playlist");

        var lines = master.Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);
        var infos = lines.Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, infos.Count);
        Assert.Contains("RESOLUTION=854x480", infos[0], StringComparison.Ordinal); // highest bit rate first
        Assert.Contains("RESOLUTION=426x240", infos[1], StringComparison.Ordinal);
        Assert.All(infos, i => Assert.Matches(@"BANDWIDTH=\d{5,},.*CODECS=""avc1\.[0-9a-f]{6},mp4a\.40\.2""", i));

        // ffmpeg reads the master playlist (it picks a variant and decodes it).
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Http("live/abr_abr.m3u8"), 3, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 50, $"{frames} frames");

        // Segment N of each rendition starts at the same instant with a keyframe: a player switches without a stall.
        var folder = Path.Combine(server.StorageRoot, "hls", "live");
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(folder, "abr_480p-4.ts")) && File.Exists(Path.Combine(folder, "abr_240p-4.ts")), TimeSpan.FromSeconds(40), "fourth segments");
        foreach (var sequence in new[] { 2, 3, 4 })
        {
            var high = await FirstVideoPacketAsync(Path.Combine(folder, $"abr_480p-{sequence}.ts"));
            var low = await FirstVideoPacketAsync(Path.Combine(folder, $"abr_240p-{sequence}.ts"));
            Assert.Equal(high, low);
            Assert.Contains(",K", high, StringComparison.Ordinal);
        }
    }

    private static async Task<string> FirstVideoPacketAsync(string file)
    {
        var (exit, stdout, stderr) = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,flags", "-read_intervals", "%+#1", "-of", "csv=p=0", file], TimeSpan.FromSeconds(20));
        Assert.True(exit == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
    }
}
