using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using static Platform.EndToEnd.Tests.ApiCalls;

namespace Platform.EndToEnd.Tests;

/// <summary>HLS viewers as clients: one session per viewer, checked when it starts, ended when idle.</summary>
[Collection("e2e")]
public class HlsSessionTests
{
    private static Dictionary<string, string?> Settings(string timeout) => new()
    {
        ["Apps:0:Hls:Fragment"] = "00:00:01",
        ["Apps:0:Hls:Window"] = "00:00:06",
        ["Http:HlsSessionTimeout"] = timeout,
    };

    [Fact]
    public async Task Ffmpeg_playing_hls_is_one_session_whose_bytes_are_counted()
    {
        await using var server = await TestServer.StartAsync(Settings("00:00:30"));
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/hs"));
        var playlistPath = Path.Combine(server.StorageRoot, "hls", "live", "hs.m3u8");
        await Eventually.TrueAsync(() => File.Exists(playlistPath) && File.ReadAllText(playlistPath).Split("#EXTINF").Length > 2,
            TimeSpan.FromSeconds(30), "HLS playlist with 2 segments");

        // ffmpeg reloads the live playlist every second or so for 4 s: every reload must stay in the one session.
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Http("live/hs.m3u8"), 4);
        Assert.True(exit == 0, errors);
        Assert.True(frames >= 50, $"decoded {frames} frames over HLS");

        using var http = new HttpClient();
        var sessions = (await GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("type").GetString() == "hls-play").ToList();
        var session = Assert.Single(sessions);
        Assert.False(session.GetProperty("publish").GetBoolean());
        Assert.Equal("/live/hs", session.GetProperty("url").GetString());
        Assert.True(session.GetProperty("send_bytes").GetInt64() > 50_000, $"sent {session.GetProperty("send_bytes")} bytes");
    }

    [Fact]
    public async Task A_session_is_access_checked_when_it_starts_and_ends_after_the_idle_timeout()
    {
        var recorder = new Recorder();
        await using var server = await TestServer.StartAsync(Settings("00:00:02"), null, null, services =>
        {
            services.AddSingleton<IAccessCheck>(recorder);
            services.AddSingleton<IClientEventSink>(recorder);
        });
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/idle"));
        var playlistPath = Path.Combine(server.StorageRoot, "hls", "live", "idle.m3u8");
        await Eventually.TrueAsync(() => File.Exists(playlistPath), TimeSpan.FromSeconds(30), "HLS playlist written");
        using var http = new HttpClient();

        var denied = await http.GetAsync(server.Http("live/idle.m3u8?deny=1"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.DoesNotContain(await Clients(http, server), c => c.GetProperty("type").GetString() == "hls-play");

        var viewer = new HlsViewer(http);
        Assert.Equal(HttpStatusCode.OK, await viewer.OpenAsync(server.Http("live/idle.m3u8?token=abc"), TimeSpan.FromSeconds(10)));
        Assert.Contains("token=abc", viewer.MediaUrl!.Query, StringComparison.Ordinal);
        var check = recorder.Checks.Single(c => c.Client.Kind == ClientKind.HlsPlayer && c.Client.Id == viewer.Context);
        Assert.Equal(AccessAction.Play, check.Action);
        Assert.Equal("token=abc", check.Client.Param);
        Assert.Equal(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "idle"), check.Client.Stream);
        Assert.Equal(HttpStatusCode.OK, (await viewer.PlaylistAsync()).Status);
        Assert.Contains(await Clients(http, server), c => c.GetProperty("id").GetString() == viewer.Context);
        Assert.Equal(2, await StreamClients(http, server));

        // No request for the idle timeout: the session ends and its stop event is raised.
        await Eventually.TrueAsync(async () => !(await Clients(http, server)).Any(c => c.GetProperty("type").GetString() == "hls-play"),
            TimeSpan.FromSeconds(10), "idle session ended");
        Assert.Contains(recorder.Events, e => e.Kind == ClientEventKind.Stopped && e.Client.Id == viewer.Context);
        await Eventually.TrueAsync(async () => await StreamClients(http, server) == 1, TimeSpan.FromSeconds(5), "stream counts only its publisher");

        // The player comes back with its context: the session starts again (checked again) under the same id.
        var checks = recorder.Checks.Count;
        Assert.Equal(HttpStatusCode.OK, (await viewer.PlaylistAsync()).Status);
        Assert.Equal(checks + 1, recorder.Checks.Count);
        Assert.Contains(await Clients(http, server), c => c.GetProperty("id").GetString() == viewer.Context);
        var (status, _) = await SendAsync(http, HttpMethod.Delete, server.Api("/api/v1/clients/" + viewer.Context));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PlaylistAsync()).Status);
        Assert.Equal(2, recorder.Events.Count(e => e.Kind == ClientEventKind.Stopped && e.Client.Id == viewer.Context));
    }

    private static async Task<List<JsonElement>> Clients(HttpClient http, TestServer server) =>
        [.. (await GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients").EnumerateArray()];

    private static async Task<int> StreamClients(HttpClient http, TestServer server)
    {
        var streams = (await GetAsync(http, server.Api("/api/v1/streams"))).Body.GetProperty("streams");
        return streams.EnumerateArray().Single().GetProperty("clients").GetInt32();
    }

    /// <summary>Denies a play whose query has <c>deny=</c>; records every check and event.</summary>
    private sealed class Recorder : IAccessCheck, IClientEventSink
    {
        private readonly ConcurrentQueue<AccessRequest> _checks = new();
        private readonly ConcurrentQueue<(ClientEventKind Kind, ClientInfo Client)> _events = new();

        public IReadOnlyList<AccessRequest> Checks => [.. _checks];

        public IReadOnlyList<(ClientEventKind Kind, ClientInfo Client)> Events => [.. _events];

        public ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken)
        {
            _checks.Enqueue(request);
            return ValueTask.FromResult(request.Client.Param.Contains("deny=", StringComparison.Ordinal) ? AccessDecision.Deny("denied by test") : AccessDecision.Allow);
        }

        public void OnClientEvent(ClientEventKind kind, ClientInfo client) => _events.Enqueue((kind, client));
    }
}
