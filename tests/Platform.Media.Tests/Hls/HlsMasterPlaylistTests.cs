using Platform.Media.Hls;

namespace Platform.Media.Tests.Hls;

public class HlsMasterPlaylistTests
{
    [Fact]
    public void Variants_are_listed_highest_bit_rate_first_with_their_attributes()
    {
        var text = HlsMasterPlaylist.Build(
        [
            new HlsVariant("cam_240p.m3u8?hls_ctx=b", 382800, 300000, 426, 240, 0, ["avc1.42c015", "mp4a.40.2"]),
            new HlsVariant("cam_480p.m3u8?hls_ctx=a", 1161600, 0, 854, 480, 25, ["avc1.64001e", "mp4a.40.2"]),
            new HlsVariant("../other/cam_audio.m3u8", 0, 0, 0, 0, 0, []),
        ]);
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=1161600,RESOLUTION=854x480,FRAME-RATE=25.000,CODECS=\"avc1.64001e,mp4a.40.2\"\ncam_480p.m3u8?hls_ctx=a\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=382800,AVERAGE-BANDWIDTH=300000,RESOLUTION=426x240,CODECS=\"avc1.42c015,mp4a.40.2\"\ncam_240p.m3u8?hls_ctx=b\n"
            + "#EXT-X-STREAM-INF:BANDWIDTH=1\n../other/cam_audio.m3u8\n",
            text);
    }

    [Theory]
    [InlineData("AAC", "LC", "mp4a.40.2")]
    [InlineData("AAC", "HE", "mp4a.40.5")]
    [InlineData("AAC", "HEv2", "mp4a.40.29")]
    [InlineData("MP3", "", "mp4a.40.34")]
    [InlineData("Opus", "", null)]
    public void Audio_codecs_get_their_rfc6381_names(string codec, string profile, string? expected) =>
        Assert.Equal(expected, HlsMasterPlaylist.AudioCodec(codec, profile));
}
