using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Platform.EndToEnd.Tests.Hooks;
using Platform.Load;
using Platform.Streams;

namespace Platform.EndToEnd.Tests.Sources;

/// <summary>Streams the node pulls itself: always-on and on-demand, by its own clients and through ffmpeg, with judgement.</summary>
[Collection("e2e")]
public class SourceTests
{
    private static readonly StreamKey Upstream = new(StreamKey.DefaultVhost, "up", "s1");

    [Fact]
    public async Task A_looped_file_runs_always_and_plays_over_rtmp_and_http_flv_and_shows_as_a_running_source()
    {
        var flv = await Inputs.SmallFlvAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/channel",
            ["Sources:0:Url"] = flv,
        });

        // Always on: nobody reads, yet it is published (and loops past the file's 2 s).
        await server.WaitPublishingAsync("live", "channel", 100);
        foreach (var url in new[] { server.Rtmp("live/channel"), server.Http("live/channel.flv") })
        {
            var streams = await Probe.StreamsAsync(url);
            Assert.Contains(streams, s => s.CodecName == "h264");
            Assert.Contains(streams, s => s.CodecName == "aac");
        }

        using var http = new HttpClient();
        var source = await SourceAsync(http, server, "live/channel");
        Assert.Equal("running", source.GetProperty("source").GetProperty("state").GetString());
        Assert.Equal("ffmpeg", source.GetProperty("source").GetProperty("kind").GetString());
        Assert.True(source.GetProperty("source").GetProperty("always_on").GetBoolean());
        Assert.True(source.GetProperty("source").GetProperty("uptime_s").GetDouble() > 0);
        Assert.True(source.GetProperty("publishing").GetBoolean());
        Assert.True(source.GetProperty("kbps").GetInt32() >= 0);

        // The stream says where it is pulled from; the pull is not an outside client.
        var streamsJson = (await ApiCalls.GetAsync(http, server.Api("/api/v1/streams"))).Body.GetProperty("streams");
        var stream = streamsJson.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "channel");
        Assert.Equal(flv, stream.GetProperty("source").GetProperty("url").GetString());
        var clients = (await ApiCalls.GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients");
        Assert.DoesNotContain(clients.EnumerateArray(), c => c.GetProperty("name").GetString() == "channel" && c.GetProperty("type").GetString() == "fmle-publish");
    }

    [Fact]
    public async Task An_on_demand_pull_starts_with_its_first_reader_stops_a_linger_after_the_last_and_a_reader_during_the_stop_is_served()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/relay",
            ["Sources:0:Url"] = "rtmp://127.0.0.1:{rtmp}/up/s1",
            ["Sources:0:OnDemand"] = "true",
            ["Sources:0:CloseAfter"] = "00:00:01",
            ["Sources:1:Stream"] = "live/flvrelay",
            ["Sources:1:Url"] = "http://127.0.0.1:{http}/up/s1.flv",
            ["Sources:1:OnDemand"] = "true",
        });
        await using var upstream = Ffmpeg.Publish(server.Rtmp("up/s1"));
        await server.WaitPublishingAsync(Upstream, 25);
        var relay = new StreamKey(StreamKey.DefaultVhost, "live", "relay");
        Assert.Null(server.Hubs.Find(relay)); // nobody reads: nothing is pulled

        foreach (var url in new[] { server.Rtmp("live/relay"), server.Http("live/flvrelay.flv") })
        {
            var (exit, errors, frames) = await Probe.DecodeAsync(url, 2);
            Assert.True(exit == 0 && frames >= 40, $"{url}: {errors}");
        }

        // Readers gone: the pull stops after its linger (1 s), and its publish ends.
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => (await SourceAsync(http, server, "live/relay")).GetProperty("source").GetProperty("state").GetString() == "idle",
            TimeSpan.FromSeconds(20), "the relay stopped after its linger");
        Assert.False(server.Hubs.Find(relay) is { IsPublishing: true });

        // Readers that come around the moment the linger runs out (one of them while the pull stops) are all served.
        for (var round = 0; round < 3; round++)
        {
            var (exit, errors, frames) = await Probe.DecodeAsync(server.Rtmp("live/relay"), 1);
            Assert.True(exit == 0 && frames >= 20, errors);
            var gone = DateTime.UtcNow;
            var late = Enumerable.Range(0, 4).Select(async i =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(800 + (150 * i)) - (DateTime.UtcNow - gone));
                return await Probe.DecodeAsync(server.Rtmp("live/relay"), 1);
            }).ToArray();
            foreach (var result in await Task.WhenAll(late))
            {
                Assert.True(result.Exit == 0 && result.Frames >= 20, $"a reader arriving as the pull stopped: {result.Errors}");
            }
        }
    }

    [Fact]
    public async Task An_hls_viewer_starts_an_on_demand_pull_and_gets_the_playlist_once_it_is_packaged()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Hls:Window"] = "00:00:06",
            ["Sources:0:Stream"] = "live/relay",
            ["Sources:0:Url"] = "rtmp://127.0.0.1:{rtmp}/up/s1",
            ["Sources:0:OnDemand"] = "true",
        });
        await using var upstream = Ffmpeg.Publish(server.Rtmp("up/s1"));
        await server.WaitPublishingAsync(Upstream, 25);
        Assert.Null(server.Hubs.Find(new StreamKey(StreamKey.DefaultVhost, "live", "relay")));

        var (exit, errors, frames) = await Probe.DecodeAsync(server.Http("live/relay.m3u8"), 2, TimeSpan.FromSeconds(40));
        Assert.True(exit == 0 && frames >= 40, errors);
    }

    [Fact]
    public async Task Timestamps_keep_increasing_for_readers_when_the_upstream_restarts_and_hooks_hear_of_the_pull()
    {
        await using var hooks = await HookServer.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/relay",
            ["Sources:0:Url"] = "http://127.0.0.1:{http}/up/s1.flv",
            ["Sources:0:OnDemand"] = "true",
            ["Hooks:Rules:0:App"] = "live",
            ["Hooks:Rules:0:OnPublish:0"] = hooks.Url("/hooks"),
            ["Hooks:Rules:0:OnUnpublish:0"] = hooks.Url("/hooks"),
        });
        await using var upstream = Ffmpeg.Publish(server.Rtmp("up/s1"));
        await server.WaitPublishingAsync(Upstream, 25);
        using var http = new HttpClient();

        using var player = await RtmpClient.ConnectAsync(server.Rtmp("live/relay"));
        await player.PlayAsync();
        var stamps = new List<(byte Type, uint Timestamp)>();
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(() => player.ReceiveAsync((header, _) =>
        {
            if ((byte)header.Type is 8 or 9)
            {
                lock (stamps)
                {
                    stamps.Add(((byte)header.Type, header.Timestamp));
                }
            }

            return true;
        }, stop.Token));
        await Eventually.TrueAsync(() => Count(stamps) > 50, TimeSpan.FromSeconds(15), "the relay's first frames");
        await Eventually.TrueAsync(() => hooks.Actions("on_publish").Any(c => c.Field("stream") == "relay"), TimeSpan.FromSeconds(10), "on_publish for the pulled stream");

        // The pull's connection is cut at the upstream (its client kicked there): the pull ends, connects again,
        // publishes again, and the reader goes on.
        var (_, clients) = await ApiCalls.GetAsync(http, server.Api("/api/v1/clients?count=100"));
        var pull = clients.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "flv-play" && c.GetProperty("name").GetString() == "s1");
        var (kicked, _) = await ApiCalls.SendAsync(http, HttpMethod.Delete, server.Api($"/api/v1/clients/{pull.GetProperty("id").GetString()}"));
        Assert.Equal(HttpStatusCode.OK, kicked);
        var before = Count(stamps);
        await Eventually.TrueAsync(() => hooks.Actions("on_unpublish").Any(c => c.Field("stream") == "relay"), TimeSpan.FromSeconds(10), "on_unpublish for the pulled stream");
        await Eventually.TrueAsync(() => hooks.Actions("on_publish").Count(c => c.Field("stream") == "relay") >= 2, TimeSpan.FromSeconds(10), "on_publish when the pull is back");
        await Eventually.TrueAsync(() => Count(stamps) > before + 75, TimeSpan.FromSeconds(30), "frames after the pull came back");

        List<(byte Type, uint Timestamp)> seen;
        lock (stamps)
        {
            seen = [.. stamps];
        }

        foreach (var type in new byte[] { 8, 9 })
        {
            var times = seen.Where(s => s.Type == type).Select(s => s.Timestamp).ToList();
            for (var i = 1; i < times.Count; i++)
            {
                Assert.True(times[i] >= times[i - 1], $"type {type}: timestamp {times[i]} after {times[i - 1]} (frame {i} of {times.Count})");
            }
        }

        await stop.CancelAsync();
        player.Dispose();
        await reading.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_source_whose_stream_does_not_exist_gives_up_with_a_clear_state_and_starts_again_on_request()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Http:FlvPlayWaitTimeout"] = "00:00:00",
            ["Sources:0:Stream"] = "live/ghost",
            ["Sources:0:Url"] = "http://127.0.0.1:{http}/up/never.flv",
        });
        using var http = new HttpClient();
        JsonElement source = default;
        await Eventually.TrueAsync(async () =>
        {
            source = (await SourceAsync(http, server, "live/ghost")).GetProperty("source");
            return source.GetProperty("state").GetString() == "failed";
        }, TimeSpan.FromSeconds(30), "the source gave up");
        Assert.Contains("not at the source", source.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("404", source.GetProperty("last_error").GetString(), StringComparison.Ordinal);

        // It stays given up: no endless retries.
        var restarts = source.GetProperty("restarts").GetInt32();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var later = (await SourceAsync(http, server, "live/ghost")).GetProperty("source");
        Assert.Equal("failed", later.GetProperty("state").GetString());
        Assert.Equal(restarts, later.GetProperty("restarts").GetInt32());

        // Once the stream exists, an operator starts it again.
        await using var upstream = Ffmpeg.Publish(server.Rtmp("up/never"));
        await server.WaitPublishingAsync("up", "never", 25);
        var (status, body) = await ApiCalls.SendAsync(http, HttpMethod.Post, server.Api("/api/v1/sources/live/ghost"));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await server.WaitPublishingAsync("live", "ghost", 25);
    }

    [Fact]
    public async Task A_frozen_source_that_keeps_its_connection_open_is_restarted_by_the_watchdog()
    {
        var flv = await Inputs.SmallFlvAsync();
        using var frozen = new FrozenFlvServer(await File.ReadAllBytesAsync(flv));
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/frozen",
            ["Sources:0:Url"] = $"http://127.0.0.1:{frozen.Port}/live/cam.flv",
            ["Sources:0:StallTimeout"] = "00:00:02",
        });
        using var http = new HttpClient();
        await Eventually.TrueAsync(() => frozen.Connections >= 3, TimeSpan.FromSeconds(30), "the stalled pull reconnected");
        var source = (await SourceAsync(http, server, "live/frozen")).GetProperty("source");
        Assert.True(source.GetProperty("restarts").GetInt32() >= 1, source.ToString());
        Assert.Matches("(?i)no audio or video|stall", source.GetProperty("last_error").GetString() ?? string.Empty);
    }

    [Fact]
    public async Task Operators_stop_and_start_a_source_and_bad_names_are_404()
    {
        var flv = await Inputs.SmallFlvAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/channel",
            ["Sources:0:Url"] = flv,
        });
        var key = new StreamKey(StreamKey.DefaultVhost, "live", "channel");
        await server.WaitPublishingAsync(key, 25);
        using var http = new HttpClient();
        var id = (await SourceAsync(http, server, "live/channel")).GetProperty("id").GetString();

        var (status, _) = await ApiCalls.SendAsync(http, HttpMethod.Delete, server.Api($"/api/v1/sources/{id}"));
        Assert.Equal(HttpStatusCode.OK, status);
        await Eventually.TrueAsync(() => server.Hubs.Find(key) is not { IsPublishing: true }, TimeSpan.FromSeconds(15), "the source stopped");

        // Always on, yet it stays off: the keep-alives do not start it again.
        await Task.Delay(SourceKeeperInterval * 2);
        Assert.False(server.Hubs.Find(key) is { IsPublishing: true });
        Assert.Equal("stopped", (await SourceAsync(http, server, "live/channel")).GetProperty("source").GetProperty("state").GetString());

        (status, _) = await ApiCalls.SendAsync(http, HttpMethod.Post, server.Api($"/api/v1/sources/{id}"));
        Assert.Equal(HttpStatusCode.OK, status);
        await server.WaitPublishingAsync(key, 25);

        ApiCalls.AssertError(await ApiCalls.SendAsync(http, HttpMethod.Post, server.Api("/api/v1/sources/live/nothing")), HttpStatusCode.NotFound, 2048);
    }

    [Theory]
    [InlineData("Sources:0:Url", "ftp://h/a", "Sources:0:Url 'ftp://h/a': ftp:// is not a source")]
    [InlineData("Sources:0:Stream", "live/cam-{id}", "Sources:0:Stream = 'live/cam-{id}' has variables")]
    [InlineData("Apps:0:Origins:0", "rtsp://cam/live", "Apps:0:Origins:0 = 'rtsp://cam/live' must be an rtmp://")]
    public void A_wrong_source_or_origin_stops_the_start_naming_its_key(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Sources:0:Stream"] = "live/cam", ["Sources:0:Url"] = "rtsp://cam/h264", [key] = value };
        var refused = TestServer.StartRefused(settings);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    private static readonly TimeSpan SourceKeeperInterval = Platform.Sources.SourceKeeperActor.Interval;

    private static int Count(List<(byte, uint)> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    internal static async Task<JsonElement> SourceAsync(HttpClient http, TestServer server, string stream)
    {
        var (_, body) = await ApiCalls.GetAsync(http, server.Api("/api/v1/sources"));
        return body.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("stream").GetString() == stream);
    }
}

/// <summary>
/// An HTTP-FLV server that sends a stream's first two seconds and then nothing, keeping the connection open:
/// a camera that froze.
/// </summary>
internal sealed class FrozenFlvServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _flv;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private int _connections;

    public FrozenFlvServer(byte[] flv)
    {
        _flv = flv;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_clients)
            {
                _clients.Add(client);
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    _ = await stream.ReadAsync(buffer, _stop.Token); // the request
                    var head = "HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nConnection: close\r\n\r\n"u8.ToArray();
                    await stream.WriteAsync(head, _stop.Token);
                    await stream.WriteAsync(_flv, _stop.Token);
                    await Task.Delay(Timeout.Infinite, _stop.Token); // frozen: open, silent
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        _stop.Dispose();
    }
}
