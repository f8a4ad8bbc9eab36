using System.Net;
using System.Text.Json;
using static Platform.EndToEnd.Tests.ApiCalls;

namespace Platform.EndToEnd.Tests;

/// <summary><c>DELETE /api/v1/clients/{id}</c> kicks every kind of client, with real clients of each kind.</summary>
[Collection("e2e")]
public class KickTests
{
    private static readonly Dictionary<string, string?> FastHls = new()
    {
        ["Apps:0:Hls:Fragment"] = "00:00:01",
        ["Apps:0:Hls:Window"] = "00:00:06",
        ["Http:HlsSessionTimeout"] = "00:01:00",
    };

    [Fact]
    public async Task Every_listed_client_is_kicked_by_its_id_whatever_its_kind()
    {
        await using var server = await TestServer.StartAsync(FastHls);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/kick"));
        var playlistPath = Path.Combine(server.StorageRoot, "hls", "live", "kick.m3u8");
        await Eventually.TrueAsync(() => File.Exists(playlistPath), TimeSpan.FromSeconds(30), "HLS playlist written");

        await using var rtmpPlayer = Ffmpeg.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", server.Rtmp("live/kick"), "-c", "copy", "-f", "null", "-"]);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var flv = await http.GetAsync(server.Http("live/kick.flv"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, flv.StatusCode);
        var flvBody = await flv.Content.ReadAsStreamAsync();
        var flvRead = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            try
            {
                while (await flvBody.ReadAsync(buffer) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
            }
        });
        var hls = new HlsViewer(http);
        Assert.Equal(HttpStatusCode.OK, await hls.OpenAsync(server.Http("live/kick.m3u8"), TimeSpan.FromSeconds(10)));
        var (playlistStatus, playlist) = await hls.PlaylistAsync();
        Assert.Equal(HttpStatusCode.OK, playlistStatus);
        var segment = hls.Segments(playlist)[0];

        JsonElement[] listed = [];
        await Eventually.TrueAsync(async () =>
        {
            listed = [.. (await GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients").EnumerateArray()];
            return listed.Select(c => c.GetProperty("type").GetString()).Order().SequenceEqual(["flv-play", "fmle-publish", "hls-play", "rtmp-play"]);
        }, TimeSpan.FromSeconds(20), "one client of each kind listed");
        var streamId = listed[0].GetProperty("stream").GetString()!;
        var (_, stream) = await GetAsync(http, server.Api("/api/v1/streams/" + streamId));
        Assert.Equal(4, stream.GetProperty("stream").GetProperty("clients").GetInt32());
        var hlsClient = listed.Single(c => c.GetProperty("type").GetString() == "hls-play");
        Assert.Equal(hls.Context, hlsClient.GetProperty("id").GetString());
        Assert.True(hlsClient.GetProperty("send_bytes").GetInt64() > 0, "the HLS session counts what it was sent");

        foreach (var client in listed)
        {
            var id = client.GetProperty("id").GetString()!;
            var type = client.GetProperty("type").GetString()!;
            var (status, body) = await SendAsync(http, HttpMethod.Delete, server.Api("/api/v1/clients/" + id));

            // When the kick has answered, the session has let go: unregistered, and a publisher's hub is free.
            Assert.Null(server.Control.Clients.Find(id));
            Assert.False(type == "fmle-publish" && (server.Hubs.Find(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "kick"))?.IsPublishing ?? false));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(0, body.GetProperty("code").GetInt32());
            var kicked = body.GetProperty("kicked");
            Assert.Equal(id, kicked.GetProperty("id").GetString());
            Assert.Equal(type, kicked.GetProperty("type").GetString());
            Assert.True(kicked.GetProperty("closed").GetBoolean(), $"{type} {id} closed");
            AssertError(await GetAsync(http, server.Api("/api/v1/clients/" + id)), HttpStatusCode.NotFound, 2049);

            if (type == "fmle-publish")
            {
                // The publisher is gone from the stream as soon as the kick answered.
                Assert.True(kicked.GetProperty("unpublished").GetBoolean());
                var (after, now) = await GetAsync(http, server.Api("/api/v1/streams/" + streamId));
                Assert.True(after == HttpStatusCode.NotFound || !now.GetProperty("stream").GetProperty("publish").GetProperty("active").GetBoolean(), now.ToString());
            }
            else
            {
                // A player unpublishes nothing: the answer describes what was kicked.
                Assert.False(kicked.GetProperty("unpublished").GetBoolean());
            }
        }

        await Eventually.TrueAsync(() => rtmpPlayer.HasExited, TimeSpan.FromSeconds(10), "the RTMP player's connection closed");
        await flvRead.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Forbidden, (await hls.PlaylistAsync()).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(segment)).StatusCode);
        await Eventually.TrueAsync(() => publisher.HasExited, TimeSpan.FromSeconds(10), "the publisher's connection closed");
        Assert.Empty((await GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients").EnumerateArray());
    }
}
