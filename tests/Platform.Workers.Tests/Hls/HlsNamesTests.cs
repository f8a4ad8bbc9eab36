using Platform.Streams;
using Platform.Workers.Hls;

namespace Platform.Workers.Tests.Hls;

/// <summary>HLS file names stay inside the HLS root whatever a stream is called.</summary>
public class HlsNamesTests
{
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Names_of_a_valid_stream_are_under_its_app_folder()
    {
        var stream = new StreamKey(StreamKey.DefaultVhost, "live", "cam1");
        Assert.Equal("live/cam1.m3u8", HlsNames.Playlist(stream));
        Assert.Equal("live/cam1-7.ts", HlsNames.Segment("[app]/[stream]-[seq].ts", stream, 7, Time));
    }

    [Fact]
    public void Playlist_uris_escape_names_that_need_it()
    {
        var stream = new StreamKey(StreamKey.DefaultVhost, "live", "my stream");
        Assert.Equal("my%20stream-7.ts", HlsNames.UriFromPlaylist(stream, HlsNames.Segment("[app]/[stream]-[seq].ts", stream, 7, Time)));
        Assert.Equal("cam1-7.ts", HlsNames.UriFromPlaylist(stream with { Stream = "cam1" }, "live/cam1-7.ts"));
        Assert.Equal("/other/my%20stream%23-1.ts", HlsNames.UriFromPlaylist(stream, "other/my stream#-1.ts"));
    }

    [Theory]
    [InlineData(StreamKey.DefaultVhost, "live", "..")]
    [InlineData(StreamKey.DefaultVhost, "live", "../../etc/passwd")]
    [InlineData(StreamKey.DefaultVhost, "..", "cam1")]
    [InlineData(StreamKey.DefaultVhost, "live", "a\\b")]
    [InlineData("../v", "live", "cam1")]
    [InlineData(StreamKey.DefaultVhost, "live", "x\u0000")]
    public void A_name_that_could_leave_the_root_never_becomes_a_file_name(string vhost, string app, string name)
    {
        var stream = new StreamKey(vhost, app, name);
        Assert.Throws<ArgumentException>(() => HlsNames.Playlist(stream));
        Assert.Throws<ArgumentException>(() => HlsNames.Segment("[vhost]/[app]/[stream]-[seq].ts", stream, 1, Time));
    }

    [Theory]
    [InlineData("live/cam1.m3u8", true)]
    [InlineData("../cam1.m3u8", false)]
    [InlineData("live/../../cam1.m3u8", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("..", false)]
    public void Resolve_keeps_paths_strictly_inside_the_root(string relative, bool inside)
    {
        var root = Path.Combine(Path.GetTempPath(), "hls-root");
        var resolved = HlsNames.Resolve(root, relative);
        Assert.Equal(inside, resolved is not null);
        if (resolved is not null)
        {
            Assert.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, resolved, StringComparison.Ordinal);
        }
    }
}
