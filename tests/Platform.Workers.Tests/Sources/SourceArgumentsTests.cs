using Platform.Sources.Config;
using Platform.Sources.Workers;
using Platform.Streams;

namespace Platform.Workers.Tests.Sources;

public sealed class SourceArgumentsTests
{
    private static readonly StreamKey Stream = new(StreamKey.DefaultVhost, "live", "cam1");

    private static string Build(SourceRule rule) =>
        SourceArguments.Build(new SourceSpec(Stream, [rule.Url], SourceInput.Ffmpeg, rule, true, false), rule.Url, "127.0.0.1", 1935, "T1");

    [Fact]
    public void A_camera_is_copied_over_the_chosen_transport_into_the_nodes_listener_with_the_ticket()
    {
        var args = Build(new SourceRule { Stream = "live/cam1", Url = "rtsp://10.0.0.1/h264", RtspTransport = "udp" });
        Assert.Contains("-rtsp_transport udp -i \"rtsp://10.0.0.1/h264\"", args, StringComparison.Ordinal);
        Assert.Contains("-c:v copy", args, StringComparison.Ordinal);
        Assert.Contains("-c:a copy", args, StringComparison.Ordinal);
        Assert.Contains("-rtmp_app \"live?platform_token=T1\" -rtmp_playpath \"cam1\"", args, StringComparison.Ordinal);
        Assert.Contains("-progress pipe:1", args, StringComparison.Ordinal);
        Assert.EndsWith("-f flv \"rtmp://127.0.0.1:1935/live/cam1\"", args, StringComparison.Ordinal);
        Assert.DoesNotContain("-re", args, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_plays_at_its_pace_looped_unless_told_once_and_can_be_transcoded()
    {
        var looped = Build(new SourceRule { Stream = "live/cam1", Url = "/media/a.mp4" });
        Assert.Contains("-re -stream_loop -1 -i \"/media/a.mp4\"", looped, StringComparison.Ordinal);
        var once = Build(new SourceRule { Stream = "live/cam1", Url = "/media/a.mp4", Loop = false, Video = new() { Codec = "libx264", Bitrate = 800, Preset = "veryfast" }, Audio = new() { Codec = "aac", Bitrate = 96 } });
        Assert.Contains("-re -i \"/media/a.mp4\"", once, StringComparison.Ordinal);
        Assert.Contains("-c:v libx264", once, StringComparison.Ordinal);
        Assert.Contains("-b:v 800k", once, StringComparison.Ordinal);
        Assert.Contains("-c:a aac", once, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exited with code 1: [rtsp @ 0x55] method DESCRIBE failed: 404 Not Found", true)]
    [InlineData("exited with code 1: http://h/live/s.m3u8: Server returned 404 Not Found", true)]
    [InlineData("exited with code 1: /media/missing.mp4: No such file or directory", true)]
    [InlineData("exited with code 1: rtsp://10.0.0.1/h264: Connection refused", false)]
    [InlineData("stalled: no progress for 10 s", false)]
    public void Not_found_is_told_from_a_network_failure(string reason, bool notFound) =>
        Assert.Equal(notFound, SourceArguments.MeansNotFound(reason));
}
