using Platform.EndToEnd.Tests.Sources.Peers;

namespace Platform.EndToEnd.Tests.Sources;

/// <summary>
/// The peers that pulled sources are tested against really work on their own, read by the real ffmpeg and
/// ffprobe: the RTSP camera over RTSP/TCP and RTSP/UDP (and frozen), nginx-rtmp with a publisher, and the SRT
/// sender for a caller (again after its first caller left).
/// </summary>
[Collection("e2e")]
public class PeerTests
{
    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Rtsp_camera_serves_h264_and_aac(string transport)
    {
        await using var camera = await RtspCamera.StartAsync("cam1");
        Assert.Matches(@"^rtsp://127\.0\.0\.1:\d+/cam1$", camera.Url);

        var streams = await RtspStreamsAsync(camera.Url, transport);
        var video = Assert.Single(streams, s => s.CodecType == "video");
        Assert.Equal(("h264", 640, 360), (video.CodecName, video.Width, video.Height));
        var audio = Assert.Single(streams, s => s.CodecType == "audio");
        Assert.Equal(("aac", 44100, 2), (audio.CodecName, audio.SampleRate, audio.Channels));

        // Probe's decode passes -rw_timeout, which the RTSP demuxer refuses: its own -timeout instead.
        var (exit, stdout, errors) = await Ffmpeg.RunAsync("ffmpeg",
            ["-hide_banner", "-nostats", "-v", "error", "-rtsp_transport", transport, "-timeout", "15000000", "-i", camera.Url,
             "-t", "3", "-map", "0:v", "-map", "0:a", "-f", "null", "-progress", "pipe:1", "-"], TimeSpan.FromSeconds(40));
        Assert.True(exit == 0, $"{errors}\n{camera.Output}");
        Assert.Equal(string.Empty, errors);
        var frames = Progress(stdout, "frame");
        var seconds = Progress(stdout, "out_time_us") / 1e6;
        Assert.True(frames >= 60 && seconds >= 2.9, $"{frames} frames, {seconds} s over RTSP/{transport.ToUpperInvariant()}");
    }

    [Fact]
    public async Task A_frozen_rtsp_camera_keeps_the_session_but_sends_nothing_until_it_resumes()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var player = Ffmpeg.Start("ffmpeg",
            ["-hide_banner", "-nostats", "-v", "error", "-rtsp_transport", "tcp", "-i", camera.Url, "-map", "0:v", "-f", "null", "-progress", "pipe:1", "-"]);
        await Eventually.TrueAsync(() => Frames(player) > 25, TimeSpan.FromSeconds(15), "frames before the freeze");

        await camera.FreezeAsync();
        await Task.Delay(1000); // what was in flight arrives
        var frozen = Frames(player);
        await Task.Delay(2000);
        Assert.Equal(frozen, Frames(player));
        Assert.False(player.HasExited, player.Stderr);

        await camera.ResumeAsync();
        await Eventually.TrueAsync(() => Frames(player) > frozen + 25, TimeSpan.FromSeconds(10), "frames after the camera resumed");
    }

    [Fact]
    public async Task Nginx_rtmp_takes_a_publisher_and_plays_it_back()
    {
        await using var nginx = await NginxRtmp.StartAsync();
        var input = await Inputs.SmallFlvAsync();
        await using var publisher = Ffmpeg.Start("ffmpeg",
            ["-hide_banner", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", input, "-c", "copy", "-f", "flv", nginx.Url("live", "s1")]);

        var streams = await Probe.StreamsAsync(nginx.Url("live", "s1"));
        Assert.Equal("h264", Assert.Single(streams, s => s.CodecType == "video").CodecName);
        Assert.Equal("aac", Assert.Single(streams, s => s.CodecType == "audio").CodecName);
        var (exit, errors, frames) = await Probe.DecodeAsync(nginx.Url("live", "s1"), 2);
        Assert.True(exit == 0, $"{errors}\n{nginx.ErrorLog}");
        Assert.True(frames >= 40, $"{frames} frames from nginx-rtmp");
        Assert.False(publisher.HasExited, publisher.Stderr);
        Assert.Contains("publish", nginx.ErrorLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Srt_sender_serves_a_caller_and_the_next_one()
    {
        await using var sender = await SrtSender.StartAsync(await Inputs.SmallFlvAsync());
        Assert.Equal($"srt://127.0.0.1:{sender.Port}", sender.Url);

        var streams = await Probe.StreamsAsync(sender.Url);
        Assert.Equal("h264", Assert.Single(streams, s => s.CodecType == "video").CodecName);
        Assert.Equal("aac", Assert.Single(streams, s => s.CodecType == "audio").CodecName);

        // The first caller left: ffmpeg listens again for the next.
        await Eventually.TrueAsync(() => sender.Listens >= 2, TimeSpan.FromSeconds(10), "the sender listening again");
        await sender.WaitListeningAsync();
        var (exit, errors, frames) = await Probe.DecodeAsync(sender.Url, 2);
        Assert.True(exit == 0, $"{errors}\n{sender.Output}");
        Assert.True(frames >= 40, $"{frames} frames from the SRT sender");
    }

    private static async Task<IReadOnlyList<Probe.StreamInfo>> RtspStreamsAsync(string url, string transport)
    {
        var (exit, stdout, stderr) = await Ffmpeg.RunAsync("ffprobe",
            ["-v", "error", "-rtsp_transport", transport, "-show_streams", "-of", "json", url], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"ffprobe failed ({exit}): {stderr}");
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        return [.. doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => new Probe.StreamInfo(
            s.GetProperty("codec_type").GetString()!,
            s.TryGetProperty("codec_name", out var n) ? n.GetString()! : string.Empty,
            s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
            s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            s.TryGetProperty("sample_rate", out var r) ? int.Parse(r.GetString()!) : 0,
            s.TryGetProperty("channels", out var c) ? c.GetInt32() : 0))];
    }

    private static int Frames(Ffmpeg player) => (int)Progress(player.Stdout, "frame");

    /// <summary>The last value of <paramref name="key"/> in ffmpeg's <c>-progress</c> output (0 before any).</summary>
    private static long Progress(string output, string key)
    {
        var last = output.Split('\n').LastOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal));
        return last is not null && long.TryParse(last[(key.Length + 1)..].Trim(), out var value) ? value : 0;
    }
}
