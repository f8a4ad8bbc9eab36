using System.Net.Http.Json;
using System.Text.Json;
using Platform.Streams;

namespace Platform.EndToEnd.Tests;

/// <summary>HLS packaging as a stream worker, checked with the real ffmpeg and ffprobe.</summary>
[Collection("e2e")]
public class HlsTests
{
    private static readonly Dictionary<string, string?> FastHls = new()
    {
        ["Apps:0:App"] = "live",
        ["Apps:0:Hls:Fragment"] = "00:00:01",
        ["Apps:0:Hls:Window"] = "00:00:06",
        ["Apps:0:Hls:CleanupAfter"] = "00:00:02",
        ["Apps:1:App"] = "nohls",
        ["Apps:1:Hls:Enabled"] = "false",
    };

    [Fact]
    public async Task A_published_stream_is_packaged_and_plays_over_hls()
    {
        await using var server = await TestServer.StartAsync(FastHls);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/h1"), size: "640x360");
        using var http = new HttpClient();
        var playlistUrl = server.Http("live/h1.m3u8");
        var viewer = new HlsViewer(http);
        Assert.Equal(System.Net.HttpStatusCode.OK, await viewer.OpenAsync(playlistUrl, TimeSpan.FromSeconds(40)));
        string playlist = string.Empty;
        await Eventually.TrueAsync(async () =>
        {
            (_, playlist) = await viewer.PlaylistAsync();
            return playlist.Split("#EXTINF").Length > 4;
        }, TimeSpan.FromSeconds(40), "a playlist with 4 segments");

        var head = await http.GetAsync(viewer.MediaUrl);
        Assert.Equal("application/vnd.apple.mpegurl", head.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", head.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal("*", head.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("#EXT-X-TARGETDURATION:", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:", playlist, StringComparison.Ordinal);

        var segment = viewer.Segments(playlist)[0];
        Assert.Contains("hls_ctx=" + viewer.Context, segment.Query, StringComparison.Ordinal);
        var ts = await http.GetAsync(segment);
        Assert.Equal("video/mp2t", ts.Content.Headers.ContentType?.MediaType);
        var bytes = await ts.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length > 188 && bytes.Length % 188 == 0 && bytes[0] == 0x47, $"segment of {bytes.Length} bytes");

        var streams = await Probe.StreamsAsync(playlistUrl);
        Assert.Equal("h264", Assert.Single(streams, s => s.CodecType == "video").CodecName);
        Assert.Equal("aac", Assert.Single(streams, s => s.CodecType == "audio").CodecName);
        var (exit, errors, frames) = await Probe.DecodeAsync(playlistUrl, 4);
        Assert.True(exit == 0, errors);
        Assert.Equal(string.Empty, errors);
        Assert.True(frames >= 75, $"decoded {frames} frames over HLS");

        var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams"));
        var workers = Assert.Single(json.GetProperty("streams").EnumerateArray()).GetProperty("workers").EnumerateArray().ToList();
        Assert.True(workers.Single(w => w.GetProperty("name").GetString() == "hls").GetProperty("running").GetBoolean());
        var dvr = workers.Single(w => w.GetProperty("name").GetString() == "dvr");
        Assert.False(dvr.GetProperty("running").GetBoolean());
        Assert.Contains("Dvr:Enabled", dvr.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hls_files_are_removed_after_unpublish_and_a_disabled_app_says_why()
    {
        await using var server = await TestServer.StartAsync(FastHls);
        var playlistPath = Path.Combine(server.StorageRoot, "hls", "live", "h2.m3u8");
        await using (var publisher = Ffmpeg.Publish(server.Rtmp("live/h2"), seconds: 4))
        {
            await Eventually.TrueAsync(() => File.Exists(playlistPath), TimeSpan.FromSeconds(30), "playlist written");
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() => !File.Exists(playlistPath) && !Directory.EnumerateFiles(Path.GetDirectoryName(playlistPath)!, "h2-*").Any(),
            TimeSpan.FromSeconds(30), "playlist and segments removed");

        await using var other = Ffmpeg.Publish(server.Rtmp("nohls/s"));
        using var http = new HttpClient();
        JsonElement worker = default;
        await Eventually.TrueAsync(async () =>
        {
            var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams"));
            var stream = json.GetProperty("streams").EnumerateArray().FirstOrDefault(s => s.GetProperty("app").GetString() == "nohls");
            if (stream.ValueKind != JsonValueKind.Object || stream.GetProperty("workers").GetArrayLength() == 0)
            {
                return false;
            }

            worker = stream.GetProperty("workers").EnumerateArray().First(w => w.GetProperty("name").GetString() == "hls");
            return true;
        }, TimeSpan.FromSeconds(30), "stream listed with its workers");
        Assert.False(worker.GetProperty("running").GetBoolean());
        Assert.Contains("Apps:1:Hls:Enabled", worker.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(server.StorageRoot, "hls", "nohls", "s.m3u8")));
    }
}
