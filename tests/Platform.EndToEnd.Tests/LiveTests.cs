using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.EndToEnd.Tests;

/// <summary>Publish with real ffmpeg, play with real ffmpeg/ffprobe over RTMP and HTTP-FLV.</summary>
[Collection("e2e")]
public class LiveTests
{
    [Fact]
    public async Task Published_h264_aac_plays_over_rtmp_and_http_flv()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/s1"), size: "640x360");
        await server.WaitPublishingAsync("live", "s1", 30);

        foreach (var url in new[] { server.Rtmp("live/s1"), server.Http("live/s1.flv") })
        {
            var streams = await Probe.StreamsAsync(url);
            var video = Assert.Single(streams, s => s.CodecType == "video");
            Assert.Equal("h264", video.CodecName);
            Assert.Equal((640, 360), (video.Width, video.Height));
            var audio = Assert.Single(streams, s => s.CodecType == "audio");
            Assert.Equal("aac", audio.CodecName);
            Assert.Equal(44100, audio.SampleRate);
            Assert.Equal(2, audio.Channels);

            var (exit, errors, frames) = await Probe.DecodeAsync(url, 3);
            Assert.True(exit == 0, errors);
            Assert.Equal(string.Empty, errors);
            Assert.True(frames >= 50, $"decoded {frames} frames from {url}");
        }

        using var http = new HttpClient();
        var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams"));
        var stream = Assert.Single(json.GetProperty("streams").EnumerateArray());
        Assert.Equal("s1", stream.GetProperty("name").GetString());
        Assert.True(stream.GetProperty("publish").GetProperty("active").GetBoolean());
        Assert.Equal("H264", stream.GetProperty("video").GetProperty("codec").GetString());
        Assert.Equal(640, stream.GetProperty("video").GetProperty("width").GetInt32());
        Assert.Equal("AAC", stream.GetProperty("audio").GetProperty("codec").GetString());
        Assert.Equal(44100, stream.GetProperty("audio").GetProperty("sample_rate").GetInt32());
    }

    [Fact]
    public async Task Mp3_audio_is_passed_through()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/mp3"), audioCodec: "libmp3lame");
        await server.WaitPublishingAsync("live", "mp3", 30);

        var streams = await Probe.StreamsAsync(server.Http("live/mp3.flv"));
        Assert.Equal("mp3", Assert.Single(streams, s => s.CodecType == "audio").CodecName);
        var (exit, errors, _) = await Probe.DecodeAsync(server.Rtmp("live/mp3"), 2);
        Assert.True(exit == 0, errors);
    }

    [Fact]
    public async Task A_player_that_comes_before_the_publisher_starts_when_publishing_begins()
    {
        await using var server = await TestServer.StartAsync();
        var playing = Probe.DecodeAsync(server.Rtmp("live/early"), 3, TimeSpan.FromSeconds(60));
        var flvPlaying = Probe.DecodeAsync(server.Http("live/early.flv"), 3, TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => server.Players(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "early")) == 2,
            TimeSpan.FromSeconds(20), "two waiting players");

        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/early"));
        foreach (var play in new[] { await playing, await flvPlaying })
        {
            Assert.True(play.Exit == 0, play.Errors);
            Assert.True(play.Frames >= 50, $"decoded {play.Frames} frames");
        }
    }

    [Fact]
    public async Task A_second_publisher_is_refused_and_the_first_is_untouched()
    {
        await using var server = await TestServer.StartAsync();
        await using var first = Ffmpeg.Publish(server.Rtmp("live/busy"));
        await server.WaitPublishingAsync("live", "busy", 30);
        var hub = server.Hubs.Find(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "busy"))!;
        var publisherId = hub.PublisherId;

        await using var second = Ffmpeg.Publish(server.Rtmp("live/busy"));
        await second.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, second.ExitCode);

        Assert.False(first.HasExited);
        Assert.Equal(publisherId, hub.PublisherId);
        var frames = hub.Stats.FramesIn;
        await Eventually.TrueAsync(() => hub.Stats.FramesIn > frames + 25, TimeSpan.FromSeconds(10), "first publisher still sending");
    }

    [Fact]
    public async Task Players_continue_when_a_publisher_stops_and_another_publishes()
    {
        await using var server = await TestServer.StartAsync();
        var key = new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "again");
        var player = Probe.DecodeAsync(server.Http("live/again.flv"), 6, TimeSpan.FromSeconds(90));
        await using (var first = Ffmpeg.Publish(server.Rtmp("live/again"), seconds: 3))
        {
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() => server.Hubs.Find(key) is { IsPublishing: false } && server.Players(key) == 1, TimeSpan.FromSeconds(10), "publisher gone, player still there");
        await using var second = Ffmpeg.Publish(server.Rtmp("live/again"));
        var (exit, errors, frames) = await player;
        Assert.True(exit == 0, errors);
        Assert.True(frames >= 125, $"decoded {frames} frames across two publishers");
    }
}

[CollectionDefinition("e2e", DisableParallelization = true)]
public class EndToEndCollection;
