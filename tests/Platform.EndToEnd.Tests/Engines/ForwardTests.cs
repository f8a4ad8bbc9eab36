using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Api.Hosting;
using Platform.Workers.Rules;

namespace Platform.EndToEnd.Tests.Engines;

/// <summary>
/// Forwards (SRS's <c>forward</c>) between two real nodes: a stream published to A with ffmpeg is pushed by A's
/// own RTMP client to B, where ffprobe reads it; A reconnects when B drops it; renditions and destinations
/// from an <c>on_forward</c> backend are forwarded too.
/// </summary>
[Collection("e2e")]
public partial class ForwardTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    private static async Task<JsonElement?> StreamAsync(TestServer server, string app, string name)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams?count=1000"));
        return body.GetProperty("streams").EnumerateArray().Cast<JsonElement?>()
            .FirstOrDefault(s => s!.Value.GetProperty("name").GetString() == name && s.Value.GetProperty("app").GetString() == app);
    }

    private static async Task<JsonElement?> WorkerAsync(TestServer server, string app, string stream, string worker)
    {
        var s = await StreamAsync(server, app, stream);
        return s?.GetProperty("workers").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(w => w!.Value.GetProperty("name").GetString() == worker);
    }

    private static async Task<JsonElement> WaitWorkerAsync(TestServer server, string app, string stream, string worker, Func<JsonElement, bool> condition, string what, int seconds = 30)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () => await WorkerAsync(server, app, stream, worker) is { } w && condition(found = w), TimeSpan.FromSeconds(seconds), what);
        return found;
    }

    private static string State(JsonElement worker) => worker.GetProperty("state").GetString() ?? string.Empty;

    private static string Reason(JsonElement worker) => worker.GetProperty("reason").GetString() ?? string.Empty;

    /// <summary>The bytes a forward's reason says it sent.</summary>
    private static long Sent(JsonElement worker) => SentBytes().Match(Reason(worker)) is { Success: true } m ? long.Parse(m.Groups[1].Value) : -1;

    [GeneratedRegex(@"sent (\d+) bytes")]
    private static partial Regex SentBytes();

    /// <summary>The id of the client publishing <paramref name="path"/> on <paramref name="server"/>, or null.</summary>
    private static async Task<string?> PublisherIdAsync(TestServer server, string path)
    {
        var clients = (await Http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/clients?count=1000"))).GetProperty("clients").EnumerateArray();
        return clients.Where(c => c.GetProperty("publish").GetBoolean() && c.GetProperty("url").GetString() == path)
            .Select(c => c.GetProperty("id").GetString()).FirstOrDefault();
    }

    private static async Task AssertDecodesAsync(TestServer server, string path)
    {
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Rtmp(path), 2, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 25, $"{frames} frames");
    }

    [Fact]
    public async Task A_stream_is_pushed_to_another_server_and_pushed_again_after_that_server_drops_it()
    {
        await using var b = await TestServer.StartAsync();
        await using var a = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "live",
            ["Apps:0:Hls:Enabled"] = "false",
            ["Apps:0:Forward:Destinations:0"] = $"rtmp://127.0.0.1:{b.RtmpPort}/fwd/[stream]?token=s3cret",
            ["Apps:0:Forward:ReconnectMin"] = "00:00:00.500",
            ["Apps:0:Forward:ReconnectMax"] = "00:00:04",
        });
        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/cam"), seconds: 120);
        await b.WaitPublishingAsync("fwd", "cam");

        // B has the stream as A has it: H.264 at its size and AAC, decodable from its start.
        var streams = await Probe.StreamsAsync(b.Rtmp("fwd/cam"));
        Assert.Contains(streams, s => s is { CodecType: "video", CodecName: "h264", Width: 320, Height: 240 });
        Assert.Contains(streams, s => s is { CodecType: "audio", CodecName: "aac", SampleRate: 44100, Channels: 2 });
        await AssertDecodesAsync(b, "fwd/cam");

        // A shows the forward among the stream's workers, forwarding, with what it sent and no credential.
        var forward = await WaitWorkerAsync(a, "live", "cam", "forward-0", w => State(w) == "forwarding" && Sent(w) > 100_000, "forward-0 forwarding with bytes");
        Assert.True(forward.GetProperty("running").GetBoolean());
        Assert.Equal($"rtmp://127.0.0.1:{b.RtmpPort}/fwd/cam?token=***", forward.GetProperty("output").GetString());
        Assert.StartsWith($"forwarding to rtmp://127.0.0.1:{b.RtmpPort}/fwd/cam?token=*** (sent ", Reason(forward), StringComparison.Ordinal);
        Assert.EndsWith(" bytes, 0 reconnects)", Reason(forward), StringComparison.Ordinal);
        Assert.Equal(0, forward.GetProperty("restarts").GetInt32());
        Assert.DoesNotContain("s3cret", forward.ToString(), StringComparison.Ordinal);

        // B drops the forwarded publisher: A connects again, and B gets the headers and a keyframe first again.
        var first = await PublisherIdAsync(b, "/fwd/cam");
        Assert.NotNull(first);
        using (var kick = await Http.DeleteAsync(b.Api($"/api/v1/clients/{first}")))
        {
            Assert.Equal(HttpStatusCode.OK, kick.StatusCode);
        }

        forward = await WaitWorkerAsync(a, "live", "cam", "forward-0", w => w.GetProperty("restarts").GetInt32() >= 1 && State(w) == "forwarding", "forward-0 forwarding again after a reconnect");
        Assert.Contains(forward.GetProperty("log").EnumerateArray(), l => l.GetString()!.Contains(" lost: ", StringComparison.Ordinal) && l.GetString()!.Contains("reconnecting in 0.5 s", StringComparison.Ordinal));
        Assert.EndsWith(" bytes, 1 reconnects)", Reason(forward), StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await PublisherIdAsync(b, "/fwd/cam") is { } again && again != first, TimeSpan.FromSeconds(20), "a new publisher of fwd/cam on B");
        await b.WaitPublishingAsync("fwd", "cam");
        await AssertDecodesAsync(b, "fwd/cam");
        Assert.Contains(await Probe.StreamsAsync(b.Rtmp("fwd/cam")), s => s is { CodecType: "video", CodecName: "h264", Width: 320, Height: 240 });

        // An operator stops the forward: B's stream ends; starting it again pushes it again.
        var id = (await StreamAsync(a, "live", "cam"))!.Value.GetProperty("id").GetString();
        using (var stop = await Http.DeleteAsync(a.Api($"/api/v1/streams/{id}/forwards/0")))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        await Eventually.TrueAsync(async () => await PublisherIdAsync(b, "/fwd/cam") is null, TimeSpan.FromSeconds(20), "fwd/cam unpublished on B");
        using (var start = await Http.PostAsync(a.Api($"/api/v1/streams/{id}/forwards/0"), null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        await Eventually.TrueAsync(async () => await PublisherIdAsync(b, "/fwd/cam") is not null, TimeSpan.FromSeconds(20), "fwd/cam published on B again");
        using var unknown = await Http.PostAsync(a.Api($"/api/v1/streams/{id}/forwards/7"), null);
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("has no destination 7", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // When the publisher leaves A, the forward stops and B's stream ends.
        publisher.Kill();
        await Eventually.TrueAsync(async () => await PublisherIdAsync(b, "/fwd/cam") is null, TimeSpan.FromSeconds(20), "fwd/cam unpublished on B after A's publisher left");
    }

    [Fact]
    public async Task A_rendition_is_forwarded_at_its_own_size_by_the_rule_for_renditions()
    {
        await using var b = await TestServer.StartAsync();
        await using var a = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "live",
            ["Apps:0:Engine"] = "low",
            ["Apps:0:Hls:Enabled"] = "false",
            ["Apps:0:Forward:Destinations:0"] = $"rtmp://127.0.0.1:{b.RtmpPort}/fwd/[stream]_by_[engine]",
            ["Apps:1:App"] = "live",
            ["Apps:1:Hls:Enabled"] = "false",
            ["Apps:1:Engines:0:Name"] = "low",
            ["Apps:1:Engines:0:Video:Width"] = "160",
            ["Apps:1:Engines:0:Video:Height"] = "120",
            ["Apps:1:Engines:0:Video:Preset"] = "ultrafast",
            ["Apps:1:Engines:0:Video:Bitrate"] = "300",
            ["Apps:1:Engines:0:Audio:Bitrate"] = "48",
        });
        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/src"), seconds: 120);
        await b.WaitPublishingAsync("fwd", "src_low_by_low");

        var streams = await Probe.StreamsAsync(b.Rtmp("fwd/src_low_by_low"));
        Assert.Contains(streams, s => s is { CodecType: "video", CodecName: "h264", Width: 160, Height: 120 });
        Assert.Contains(streams, s => s is { CodecType: "audio", CodecName: "aac" });
        await AssertDecodesAsync(b, "fwd/src_low_by_low");
        await WaitWorkerAsync(a, "live", "src_low", "forward-0", w => State(w) == "forwarding" && Sent(w) > 0, "the rendition's forward forwarding");

        // The source's rule has no forward: only the rendition reaches B.
        var source = (await StreamAsync(a, "live", "src"))!.Value;
        Assert.DoesNotContain(source.GetProperty("workers").EnumerateArray(), w => w.GetProperty("name").GetString()!.StartsWith("forward-", StringComparison.Ordinal));
        var onB = (await Http.GetFromJsonAsync<JsonElement>(b.Api("/api/v1/clients?count=1000"))).GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("publish").GetBoolean()).Select(c => c.GetProperty("url").GetString()).ToList();
        Assert.Equal(["/fwd/src_low_by_low"], onB);
    }

    [Fact]
    public async Task An_on_forward_backend_gives_the_destinations_and_a_refusal_is_shown()
    {
        await using var b = await TestServer.StartAsync();
        var port = TestServer.FreePorts(1)[0];
        var asked = new ConcurrentQueue<JsonElement>();
        var backend = WebApplication.CreateSlimBuilder();
        backend.WebHost.UseUrls($"http://127.0.0.1:{port}");
        backend.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var hooks = backend.Build();
        hooks.MapPost("/forward", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            asked.Enqueue(body);
            return body.GetProperty("stream").GetString() == "nope"
                ? Results.Json(new { code = 1, data = new { urls = new[] { $"rtmp://127.0.0.1:{b.RtmpPort}/fwd/never" } } })
                : Results.Json(new { code = 0, data = new { urls = new[] { $"rtmp://127.0.0.1:{b.RtmpPort}/fwd/backend", "http://not-rtmp/fwd/x" } } });
        });
        await hooks.StartAsync();

        await using var a = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:App"] = "live",
            ["Apps:0:Hls:Enabled"] = "false",
            ["Apps:0:Forward:Backend"] = $"http://127.0.0.1:{port}/forward",
        });
        await using (var publisher = Ffmpeg.Publish(a.Rtmp("live/cam?secret=x1"), seconds: 120))
        {
            await b.WaitPublishingAsync("fwd", "backend");
            var streams = await Probe.StreamsAsync(b.Rtmp("fwd/backend"));
            Assert.Contains(streams, s => s is { CodecType: "video", CodecName: "h264", Width: 320, Height: 240 });
            Assert.Contains(streams, s => s is { CodecType: "audio", CodecName: "aac" });

            // The backend was asked once, SRS style, about the publish.
            var request = Assert.Single(asked);
            Assert.Equal(["action", "server_id", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param"], request.EnumerateObject().Select(p => p.Name));
            Assert.Equal("on_forward", request.GetProperty("action").GetString());
            Assert.Equal("__defaultVhost__", request.GetProperty("vhost").GetString());
            Assert.Equal("live", request.GetProperty("app").GetString());
            Assert.Equal("cam", request.GetProperty("stream").GetString());
            Assert.Equal("?secret=x1", request.GetProperty("param").GetString());
            Assert.Equal("127.0.0.1", request.GetProperty("ip").GetString());
            Assert.Equal(await PublisherIdAsync(a, "/live/cam"), request.GetProperty("client_id").GetString());
            Assert.StartsWith($"rtmp://127.0.0.1:{a.RtmpPort}/live", request.GetProperty("tcUrl").GetString(), StringComparison.Ordinal);

            var forward = await WaitWorkerAsync(a, "live", "cam", "forward-backend", w => State(w) == "forwarding" && Sent(w) > 0, "forward-backend forwarding");
            Assert.Equal($"rtmp://127.0.0.1:{b.RtmpPort}/fwd/backend", forward.GetProperty("output").GetString());
            Assert.Contains(forward.GetProperty("log").EnumerateArray(), l => l.GetString()!.Contains("'http://not-rtmp/fwd/x' is not an rtmp:// URL: left out", StringComparison.Ordinal));
        }

        // A backend that answers with a code other than 0 gives no destinations: the worker says why.
        await using var refused = Ffmpeg.Publish(a.Rtmp("live/nope"), seconds: 120);
        var failed = await WaitWorkerAsync(a, "live", "nope", "forward-backend", w => State(w) == "failed", "forward-backend failed for nope");
        Assert.False(failed.GetProperty("running").GetBoolean());
        Assert.Equal($"http://127.0.0.1:{port}/forward gave no destinations: code 1", Reason(failed));
        Assert.Null(await PublisherIdAsync(b, "/fwd/never"));
        await hooks.StopAsync();
    }

    [Fact]
    public void Forward_settings_are_checked()
    {
        var problems = ConfigValidator.ValidateApps(
        [
            new AppRule
            {
                Forward = new ForwardRule
                {
                    Destinations = ["rtmp://b/fwd/[stream]", "http://b/fwd/[stream]", "rtmp://b/[stream]", "rtmp://b/[app]/[stream]?token=[vhost]"],
                    Backend = "ftp://b/forward",
                    ReconnectMin = TimeSpan.Zero,
                    ReconnectMax = TimeSpan.FromSeconds(-1),
                },
            },
        ]);

        Assert.Equal(
        [
            "Apps:0:Forward:Destinations:1 'http://b/fwd/stream' is not an rtmp:// URL: expected rtmp://host[:port]/app/stream[?query] ([vhost] [app] [stream] [engine] allowed)",
            "Apps:0:Forward:Destinations:2 'rtmp://b/stream' needs both an app and a stream name (rtmp://host[:port]/app/stream): expected rtmp://host[:port]/app/stream[?query] ([vhost] [app] [stream] [engine] allowed)",
            "Apps:0:Forward:Backend 'ftp://b/forward' is not an http:// or https:// URL",
            "Apps:0:Forward:ReconnectMin = 00:00:00: must be longer than zero",
            "Apps:0:Forward:ReconnectMax = -00:00:01: must be at least Apps:0:Forward:ReconnectMin (00:00:00)",
        ], problems);
        Assert.Empty(ConfigValidator.ValidateApps([new AppRule { Forward = new ForwardRule { Destinations = ["rtmp://b:1936/fwd/[stream]"], Backend = "https://b/forward" } }]));

        var refused = TestServer.StartRefused(new Dictionary<string, string?> { ["Apps:0:Forward:Destinations:0"] = "rtmp://b/fwd" });
        Assert.Contains("Apps:0:Forward:Destinations:0 'rtmp://b/fwd' needs both an app and a stream name", refused.Message, StringComparison.Ordinal);
    }
}
