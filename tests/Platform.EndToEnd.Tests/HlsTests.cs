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

    [Fact]
    public async Task A_20_second_read_of_the_live_playlist_decodes_cleanly_and_segments_last_what_the_playlist_says()
    {
        await using var server = await TestServer.StartAsync(FastHls);
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/long"), size: "320x180");
        using var http = new HttpClient();
        var playlistUrl = server.Http("live/long.m3u8");
        await Eventually.TrueAsync(async () => (await HlsPlaylists.GetAsync(http, playlistUrl)).Count >= 3,
            TimeSpan.FromSeconds(40), "a playlist with 3 segments");

        // ffmpeg follows the live playlist for 20 s of media while the segments it lists are measured.
        var decode = Probe.DecodeAllAsync(playlistUrl, 20);
        var measured = new Dictionary<string, (double Listed, double Probed)>(StringComparer.Ordinal);
        while (!decode.IsCompleted && measured.Count < 12)
        {
            foreach (var entry in await HlsPlaylists.GetAsync(http, playlistUrl))
            {
                if (!measured.ContainsKey(entry.Uri))
                {
                    // On disk: served without ranges, a segment's duration is unknown to ffprobe over HTTP.
                    measured[entry.Uri] = (entry.Duration, await Probe.DurationAsync(Path.Combine(server.StorageRoot, "hls", "live", entry.Uri)));
                }
            }

            await Task.WhenAny(decode, Task.Delay(500));
        }

        var (exit, errors, frames, seconds) = await decode;
        Assert.True(exit == 0, errors);
        Assert.Equal(string.Empty, errors);
        Assert.InRange(seconds, 19.9, 20.1);
        Assert.True(frames >= 495, $"decoded {frames} video frames in {seconds:0.00} s");
        Assert.True(measured.Count >= 8, $"only {measured.Count} segments measured");
        Assert.All(measured, m => Assert.True(Math.Abs(m.Value.Listed - m.Value.Probed) <= 0.1,
            $"{m.Key}: EXTINF {m.Value.Listed:0.000} s, ffprobe {m.Value.Probed:0.000} s"));
    }

    [Fact]
    public async Task Mp3_audio_only_and_video_only_streams_are_packaged_cut_at_the_fragment_and_decode_cleanly()
    {
        // A window longer than the test, so that every playlist still lists its stream's first segment.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>(FastHls) { ["Apps:0:Hls:Window"] = "00:01:00" });
        await using var mp3 = Ffmpeg.Publish(server.Rtmp("live/mp3"), size: "320x180", audioCodec: "libmp3lame");
        await using var audioOnly = Ffmpeg.Publish(server.Rtmp("live/audio"), video: false);
        await using var videoOnly = Ffmpeg.Publish(server.Rtmp("live/video"), size: "320x180", audio: false);
        using var http = new HttpClient();

        await CheckAsync("mp3", [("video", "h264"), ("audio", "mp3")], [0x1B, 0x03]); // MPEG-1 layer III at 44.1 kHz
        await CheckAsync("audio", [("audio", "aac")], [0x0F]); // no keyframes: cut on time, at the first frame past the fragment
        await CheckAsync("video", [("video", "h264")], [0x1B]);

        async Task CheckAsync(string stream, (string Type, string Codec)[] expected, byte[] streamTypes)
        {
            var playlistUrl = server.Http($"live/{stream}.m3u8");
            IReadOnlyList<HlsPlaylists.Entry> segments = [];
            await Eventually.TrueAsync(async () => (segments = await HlsPlaylists.GetAsync(http, playlistUrl)).Count >= 3,
                TimeSpan.FromSeconds(40), $"{stream}: a playlist with 3 segments");
            Assert.All(segments, s => Assert.InRange(s.Duration, 1.0, 1.05)); // 1 s fragments; GOP 1 s, AAC frames 23 ms

            // The first segment stands on its own: the tables it opens with announce every track (a player
            // reads those), ffprobe finds them and measures the duration the playlist says.
            Assert.Equal($"{stream}-0.ts", segments[0].Uri);
            var first = server.Http("live/" + segments[0].Uri);
            Assert.Equal(streamTypes, TsTables.FirstPmtStreamTypes(await http.GetByteArrayAsync(first)));
            foreach (var url in new[] { first, playlistUrl })
            {
                var streams = await Probe.StreamsAsync(url);
                Assert.Equal(expected.Order(), streams.Select(s => (s.CodecType, s.CodecName)).Order());
            }

            // Measured on disk: served without ranges, a segment's duration is unknown to ffprobe over HTTP.
            var duration = await Probe.DurationAsync(Path.Combine(server.StorageRoot, "hls", "live", segments[0].Uri));
            Assert.True(Math.Abs(duration - segments[0].Duration) <= 0.1, $"{stream}: {segments[0].Uri} lasts {duration:0.000} s, EXTINF {segments[0].Duration} s");
            var (exit, errors, frames, seconds) = await Probe.DecodeAllAsync(playlistUrl, 3);
            Assert.True(exit == 0 && errors.Length == 0, $"{stream}: {errors}");
            Assert.True(seconds >= 2.9, $"{stream}: decoded {seconds:0.00} s");
            Assert.True(frames >= (expected.Any(e => e.Type == "video") ? 70 : 0), $"{stream}: {frames} video frames");
        }
    }
}
