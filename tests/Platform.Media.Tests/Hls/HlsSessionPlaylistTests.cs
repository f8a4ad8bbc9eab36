using Platform.Media.Hls;

namespace Platform.Media.Tests.Hls;

public class HlsSessionPlaylistTests
{
    [Fact]
    public void The_master_playlist_escapes_the_media_name()
    {
        Assert.StartsWith("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\nmy%20stream.m3u8?hls_ctx=ab12cd34",
            HlsSessionPlaylist.Master("my stream.m3u8", "ab12cd34", string.Empty), StringComparison.Ordinal);
    }

    [Fact]
    public void Master_points_at_the_variant_with_the_context_then_the_query()
    {
        Assert.Equal(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\ncam.m3u8?hls_ctx=ab12cd34&token=x%20y&vhost=v\n",
            HlsSessionPlaylist.Master("cam.m3u8", "ab12cd34", "token=x%20y&hls_ctx=old&vhost=v"));
        Assert.Equal(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\ncam.m3u8?hls_ctx=ab12cd34\n",
            HlsSessionPlaylist.Master("cam.m3u8", "ab12cd34", string.Empty));
    }

    [Fact]
    public void Media_playlist_uris_get_the_context_and_tags_stay()
    {
        const string playlist =
            "#EXTM3U\n" +
            "#EXT-X-TARGETDURATION:2\n" +
            "#EXTINF:2.000,\n" +
            "cam-1.ts\n" +
            "#EXTINF:2.000,\n" +
            "/other/cam-2.ts?k=v\n" +
            "\n" +
            "cam-3.ts#t=1\r\n" +
            "#EXT-X-ENDLIST";
        const string expected =
            "#EXTM3U\n" +
            "#EXT-X-TARGETDURATION:2\n" +
            "#EXTINF:2.000,\n" +
            "cam-1.ts?hls_ctx=zz\n" +
            "#EXTINF:2.000,\n" +
            "/other/cam-2.ts?k=v&hls_ctx=zz\n" +
            "\n" +
            "cam-3.ts?hls_ctx=zz#t=1\r\n" +
            "#EXT-X-ENDLIST";
        Assert.Equal(expected, HlsSessionPlaylist.WithContext(playlist, "zz"));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("hls_ctx=a", "")]
    [InlineData("a=1&hls_ctx=b&c=2", "a=1&c=2")]
    [InlineData("hls_ctxx=1&&b", "hls_ctxx=1&b")]
    public void The_context_is_removed_from_a_query(string query, string expected) =>
        Assert.Equal(expected, HlsSessionPlaylist.WithoutContext(query));
}
