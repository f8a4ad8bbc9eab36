using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Hosting;
using Platform.Load;
using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.EndToEnd.Tests;

/// <summary>Built-in stream protection with real ffmpeg: signed URLs, publish keys, address lists, names, reload.</summary>
[Collection("e2e")]
public class SecurityTests
{
    private const string PublishSecret = "e2e-publish-secret-0123";
    private const string PlaySecret = "e2e-play-secret-456789ab";

    [Fact]
    public async Task Signed_urls_admit_valid_tokens_and_refuse_missing_tampered_and_expired_ones()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PublishSecret"] = PublishSecret,
            ["Security:Rules:0:PlaySecret"] = PlaySecret,
        });
        var key = Key("live", "cam1");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = StreamToken.Query(PublishSecret, TokenAction.Publish, key, now + 600);
        var tampered = valid[..^1] + (valid[^1] == '0' ? '1' : '0');
        var expired = StreamToken.Query(PublishSecret, TokenAction.Publish, key, now - 5);
        var playToken = StreamToken.Query(PlaySecret, TokenAction.Play, key, now + 600);

        await AssertPublishRefusedAsync(server, "live/cam1", key);
        await AssertPublishRefusedAsync(server, $"live/cam1?{tampered}", key);
        await AssertPublishRefusedAsync(server, $"live/cam1?{expired}", key);
        await AssertPublishRefusedAsync(server, $"live/cam1?{playToken}", key);

        await using var publisher = Ffmpeg.Publish(server.Rtmp($"live/cam1?{valid}"), size: "160x120");
        await server.WaitPublishingAsync(key);

        // Play: RTMP and HTTP-FLV with the play token; without it, or with the publish token, refused.
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Rtmp($"live/cam1?{playToken}"), 1);
        Assert.True(exit == 0 && frames > 0, errors);
        foreach (var bad in new[] { string.Empty, valid, StreamToken.Query(PlaySecret, TokenAction.Play, key, now - 1) })
        {
            var refused = await Probe.DecodeAsync(server.Rtmp($"live/cam1?{bad}"), 1, TimeSpan.FromSeconds(30));
            Assert.True(refused.Exit != 0 && refused.Frames == 0, $"played with '{bad}': {refused.Errors}");
        }

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, server.Http($"live/cam1.flv?{playToken}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("live/cam1.flv")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http($"live/cam1.flv?{valid}")));
        using var tamperedPlay = await http.GetAsync(server.Http($"live/cam1.flv?{playToken[..^2]}zz"));
        Assert.Equal(HttpStatusCode.Forbidden, tamperedPlay.StatusCode);
        Assert.Equal(SecurityPolicy.AccessDenied, await tamperedPlay.Content.ReadAsStringAsync());
        Assert.False(publisher.HasExited);
    }

    [Fact]
    public async Task Publish_keys_and_address_lists_refuse_publishers_and_players()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Security:Rules:0:App"] = "keyed",
            ["Security:Rules:0:PublishKeys:0"] = "k1",
            ["Security:Rules:1:App"] = "nopub",
            ["Security:Rules:1:PublishAccess:0"] = "allow 10.0.0.0/8",
            ["Security:Rules:1:PublishAccess:1"] = "deny 127.0.0.1",
            ["Security:Rules:2:App"] = "noplay",
            ["Security:Rules:2:PlayAccess:0"] = "deny 127.0.0.0/8",
            ["Security:Rules:2:PlayAccess:1"] = "allow all",
            ["Security:Rules:3:App"] = "noconn",
            ["Security:Rules:3:ConnectAccess:0"] = "deny ::1",
            ["Security:Rules:3:ConnectAccess:1"] = "deny 127.0.0.0/8",
        });
        var connect = await Assert.ThrowsAsync<RtmpStatusException>(() => PublishWithClientAsync(server, "noconn", "s"));
        Assert.Equal("NetConnection.Connect.Rejected", connect.Code);
        Assert.Equal(SecurityPolicy.AccessDenied, connect.Description);

        await AssertPublishRefusedAsync(server, "keyed/s?key=k2", Key("keyed", "s"));
        await AssertPublishRefusedAsync(server, "keyed/s", Key("keyed", "s"));
        await using (var keyed = Ffmpeg.Publish(server.Rtmp("keyed/s?key=k1"), size: "160x120"))
        {
            await server.WaitPublishingAsync(Key("keyed", "s"));
        }

        await AssertPublishRefusedAsync(server, "nopub/s", Key("nopub", "s"));

        await using var publisher = Ffmpeg.Publish(server.Rtmp("noplay/s"), size: "160x120");
        await server.WaitPublishingAsync(Key("noplay", "s"));
        var (exit, _, frames) = await Probe.DecodeAsync(server.Rtmp("noplay/s"), 1, TimeSpan.FromSeconds(30));
        Assert.True(exit != 0 && frames == 0, "an RTMP player from 127.0.0.1 was admitted");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("noplay/s.flv")));
        Assert.False(publisher.HasExited);
    }

    [Fact]
    public async Task Names_that_could_escape_a_folder_are_refused_over_rtmp_http_flv_hls_and_the_api()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PlaySecret"] = PlaySecret,
        });
        foreach (var name in new[] { "..", "../../escape", "a\\..\\b", "%2e%2e", "x\u0001y", "a/b", "bidi\u202Eevil" })
        {
            var publish = await Assert.ThrowsAsync<RtmpStatusException>(() => PublishWithClientAsync(server, "live", name));
            Assert.Equal("NetStream.Publish.BadName", publish.Code);
            var play = await Assert.ThrowsAsync<RtmpStatusException>(() => PlayWithClientAsync(server, "live", name));
            Assert.Equal("NetStream.Play.StreamNotFound", play.Code);
        }

        var app = await Assert.ThrowsAsync<RtmpStatusException>(() => PublishWithClientAsync(server, "..", "s"));
        Assert.Equal("NetStream.Publish.BadName", app.Code);
        Assert.Contains("invalid app name", app.Description, StringComparison.Ordinal);

        foreach (var target in new[]
        {
            "/live/%2e%2e.flv",
            "/live/a%5C..%5Cb.flv",
            "/live/x%01y.flv",
            "/live/s.flv?vhost=..%2F..",
            "/live/s.flv?vhost=a%00",
            "/live/%2e%2e%2f%2e%2e%2fetc%2fpasswd.m3u8",
            "/live/..%5C..%5Cs.m3u8",
            "/live/s%00.m3u8",
            "/%2e%2e%5Clive/s.m3u8",
        })
        {
            Assert.True(await RawStatusAsync(server.HttpPort, target) == 400, target);
        }

        // Whole dot segments are resolved by the HTTP server before routing: this asks for /x.ts, which is no stream file.
        Assert.Equal(404, await RawStatusAsync(server.HttpPort, "/live/s/%2e%2e/%2e%2e/x.ts"));

        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(server.Api("/api/v1/tokens"), new { app = "live", stream = "../x", action = "play" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5100, json.GetProperty("code").GetInt32());
        Assert.StartsWith("invalid stream name", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(server.StorageRoot, "escape")));
    }

    [Fact]
    public async Task Tokens_minted_by_the_cli_and_the_api_are_accepted()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PublishSecret"] = PublishSecret,
            ["Security:Rules:0:PlaySecret"] = PlaySecret,
        });

        // The CLI: the node's own configuration sources, overridden on the command line; no node starts.
        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");
        var (exit, stdout, stderr) = await Ffmpeg.RunAsync("dotnet",
            [dll, "token", "--app", "live", "--stream", "cli", "--action", "publish", "--ttl", "600", "--host", "127.0.0.1",
             $"--Rtmp:Port={server.RtmpPort}", "--Security:Rules:0:App=live", $"--Security:Rules:0:PublishSecret={PublishSecret}"],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches("^expires=[0-9]+&token=[0-9a-f]{64}$", lines[0]);
        Assert.Equal(server.Rtmp($"live/cli?{lines[0]}"), lines[1]);
        await using var publisher = Ffmpeg.Publish(lines[1], size: "160x120");
        await server.WaitPublishingAsync(Key("live", "cli"));

        var usage = await Ffmpeg.RunAsync("dotnet", [dll, "token", "--app", "live", "--stream", "cli", "--action", "record"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, usage.Exit);
        Assert.Contains("unknown action 'record'", usage.Stderr, StringComparison.Ordinal);

        // The API: JSON body, SRS envelope, URLs for RTMP, HTTP-FLV and HLS.
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(server.Api("/api/v1/tokens"), new { app = "live", stream = "cli", action = "play", ttl = 60 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, json.GetProperty("code").GetInt32());
        var data = json.GetProperty("data");
        var expires = data.GetProperty("expires").GetInt64();
        Assert.InRange(expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 50, 61);
        Assert.Equal($"expires={expires}&token={data.GetProperty("token").GetString()}", data.GetProperty("query").GetString());
        var urls = data.GetProperty("urls");
        Assert.EndsWith($"/live/cli.m3u8?{data.GetProperty("query").GetString()}", urls.GetProperty("hls").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, urls.GetProperty("flv").GetString()!));
        var (playExit, playErrors, frames) = await Probe.DecodeAsync(urls.GetProperty("rtmp").GetString()!, 1);
        Assert.True(playExit == 0 && frames > 0, playErrors);

        // Query parameters work as well as a body; a stream no secret covers is refused with the reason.
        var byQuery = await http.PostAsync(server.Api("/api/v1/tokens?app=live&stream=x&action=publish&ttl=5"), null);
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        var refused = await http.PostAsync(server.Api("/api/v1/tokens?app=other&stream=x&action=play"), null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var reason = await refused.Content.ReadAsStringAsync();
        Assert.Contains("no rule in Security:Rules covers other/x", reason, StringComparison.Ordinal);
        Assert.Contains("add one with a PlaySecret, e.g. --Security:Rules:0:App=other --Security:Rules:0:PlaySecret=", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_public_host_names_the_urls_of_the_cli_and_the_api()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Http:PublicHost"] = "media.example",
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PlaySecret"] = PlaySecret,
        });
        using var http = new HttpClient();
        var api = await (await http.PostAsJsonAsync(server.Api("/api/v1/tokens"), new { app = "live", stream = "cam", action = "play" })).Content.ReadFromJsonAsync<JsonElement>();
        var urls = api.GetProperty("data").GetProperty("urls");
        Assert.StartsWith($"rtmp://media.example:{server.RtmpPort}/live/cam?", urls.GetProperty("rtmp").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"http://media.example:{server.HttpPort}/live/cam.m3u8?", urls.GetProperty("hls").GetString(), StringComparison.Ordinal);

        var dll = Path.Combine(AppContext.BaseDirectory, "Platform.Api.dll");
        var cli = await Ffmpeg.RunAsync("dotnet",
            [dll, "token", "--app", "live", "--stream", "cam", "--action", "play", "--Http:PublicHost=media.example", $"--Rtmp:Port={server.RtmpPort}",
             "--Security:Rules:0:App=live", $"--Security:Rules:0:PlaySecret={PlaySecret}"],
            TimeSpan.FromSeconds(60));
        Assert.True(cli.Exit == 0, cli.Stderr);
        Assert.StartsWith($"rtmp://media.example:{server.RtmpPort}/live/cam?", cli.Stdout.Split('\n')[1], StringComparison.Ordinal);

        // Without it, the CLI names the loopback address, as the API does when asked there.
        var plain = await Ffmpeg.RunAsync("dotnet",
            [dll, "token", "--app", "live", "--stream", "cam", "--action", "play", "--Security:Rules:0:App=live", $"--Security:Rules:0:PlaySecret={PlaySecret}"],
            TimeSpan.FromSeconds(60));
        Assert.StartsWith("rtmp://127.0.0.1:1935/live/cam?", plain.Stdout.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reloaded_rules_apply_to_new_connections_and_leave_a_live_publisher_alone()
    {
        var folder = Directory.CreateTempSubdirectory("platform-security-");
        var file = Path.Combine(folder.FullName, "security.json");
        await File.WriteAllTextAsync(file, RulesJson("old"));
        try
        {
            await using var server = await TestServer.StartAsync(configure: c => c.AddJsonFile(file, optional: false, reloadOnChange: true));
            var rules = server.Services.GetRequiredService<SecurityRules>();
            await using var live = Ffmpeg.Publish(server.Rtmp("live/a?key=old"), size: "160x120");
            await server.WaitPublishingAsync(Key("live", "a"));

            await File.WriteAllTextAsync(file, RulesJson("new"));
            await Eventually.TrueAsync(() => rules.Generation >= 1, TimeSpan.FromSeconds(20), "rules reloaded");

            await AssertPublishRefusedAsync(server, "live/b?key=old", Key("live", "b"));
            await using var fresh = Ffmpeg.Publish(server.Rtmp("live/b?key=new"), size: "160x120");
            await server.WaitPublishingAsync(Key("live", "b"));

            // The publisher admitted under the old rules goes on.
            var hub = server.Hubs.Find(Key("live", "a"))!;
            var before = hub.Stats.FramesIn;
            await Eventually.TrueAsync(() => hub.Stats.FramesIn > before + 25, TimeSpan.FromSeconds(20), "old publisher still sending");
            Assert.True(hub.IsPublishing);
            Assert.False(live.HasExited);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Security:Rules:0:PlayAccess:1", "10.0.0/8", "Security:Rules:0:PlayAccess:1 = 10.0.0/8: unknown action '10.0.0/8'")]
    [InlineData("Security:Rules:0:PlayAccess:1", "deny 10.0.0/8", "Security:Rules:0:PlayAccess:1 = deny 10.0.0/8: '10.0.0/8' is not an IP address or CIDR")]
    [InlineData("Security:Rules:0:PublishAccess:0", "permit 10.0.0.0/8", "Security:Rules:0:PublishAccess:0 = permit 10.0.0.0/8: unknown action 'permit'")]
    [InlineData("Security:Rules:0:PublishSecret", "", "Security:Rules:0:PublishSecret is empty")]
    [InlineData("Security:Rules:0:PlaySecret", "short", "Security:Rules:0:PlaySecret has 5 characters")]
    [InlineData("Security:Rules:0:PlaySecert", "0123456789abcdefgh", "Security:Rules:0:PlaySecert is not a known setting")]
    public void Wrong_security_settings_stop_the_start_with_their_key(string key, string value, string message)
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var ex = TestServer.StartRefused(new Dictionary<string, string?>
            {
                ["Storage:Root"] = root,
                ["Security:Rules:0:App"] = "live",
                ["Security:Rules:0:PlayAccess:0"] = "allow 127.0.0.1",
                [key] = value,
            });
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Hls_viewers_need_the_play_token_and_with_sessions_required_segments_need_a_session()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Security:Rules:0:App"] = "live",
            ["Security:Rules:0:PlaySecret"] = PlaySecret,
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Hls:Window"] = "00:00:04",
            ["Http:HlsRequireSession"] = "true",
        });
        var key = Key("live", "hls1");
        var playToken = StreamToken.Query(PlaySecret, TokenAction.Play, key, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/hls1"), size: "160x120");
        await server.WaitPublishingAsync(key);
        var playlistFile = Path.Combine(server.StorageRoot, "hls", "live", "hls1.m3u8");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(playlistFile) && HlsPlaylists.Parse(File.ReadAllText(playlistFile)).Count > 0), TimeSpan.FromSeconds(30), "a segment written");
        var segment = HlsPlaylists.Parse(File.ReadAllText(playlistFile))[0].Uri;

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("live/hls1.m3u8")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("live/hls1.m3u8?token=00&expires=1")));

        // With the token: a session, whose media playlist hands out segment URIs carrying its context.
        var entries = await HlsPlaylists.GetAsync(http, server.Http($"live/hls1.m3u8?{playToken}"));
        Assert.NotEmpty(entries);
        var viewer = new HlsViewer(http);
        Assert.Equal(HttpStatusCode.OK, await viewer.OpenAsync(server.Http($"live/hls1.m3u8?{playToken}"), TimeSpan.FromSeconds(20)));
        var (status, text) = await viewer.PlaylistAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        var sessionSegment = viewer.Segments(text)[0];
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, sessionSegment.ToString()));

        // A segment's bare URL is refused: the token's checks guard segments too.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("live/" + segment)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, server.Http("live/" + segment + "?hls_ctx=zzzzzzzz")));
    }

    private static string RulesJson(string key) =>
        $$"""{ "Security": { "Rules": [ { "App": "live", "PublishKeys": [ "{{key}}" ] } ] } }""";

    private static StreamKey Key(string app, string stream) => new(StreamKey.DefaultVhost, app, stream);

    /// <summary>ffmpeg is refused: it exits with an error and the stream never publishes.</summary>
    private static async Task AssertPublishRefusedAsync(TestServer server, string path, StreamKey key)
    {
        await using var ffmpeg = Ffmpeg.Publish(server.Rtmp(path), seconds: 10, size: "160x120");
        await ffmpeg.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(ffmpeg.ExitCode != 0, $"ffmpeg published {path}");
        Assert.False(server.Hubs.Find(key)?.IsPublishing ?? false, $"{key} is publishing");
        Assert.Contains("access denied", ffmpeg.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("token", ffmpeg.Stderr.Replace(path, string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string url)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        return response.StatusCode;
    }

    private static async Task PublishWithClientAsync(TestServer server, string app, string stream)
    {
        using var client = await RtmpClient.ConnectAsync(new RtmpEndpoint("127.0.0.1", server.RtmpPort, app, stream));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.PublishAsync(cts.Token);
    }

    private static async Task PlayWithClientAsync(TestServer server, string app, string stream)
    {
        using var client = await RtmpClient.ConnectAsync(new RtmpEndpoint("127.0.0.1", server.RtmpPort, app, stream));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.PlayAsync(cts.Token);
    }

    /// <summary>Sends the request line as written (no client-side normalization) and returns the status code.</summary>
    private static async Task<int> RawStatusAsync(int port, string target)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, cts.Token);
        var head = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 ", head, StringComparison.Ordinal);
        return int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
