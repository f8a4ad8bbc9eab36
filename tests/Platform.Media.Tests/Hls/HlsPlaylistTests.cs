using Platform.Media.Hls;

namespace Platform.Media.Tests.Hls;

public class HlsPlaylistTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 6, 7, 8, 9, 250, TimeSpan.Zero);

    [Fact]
    public void Live_window_golden_text()
    {
        HlsSegment[] window =
        [
            new(41, "seg-41.ts", 2.002, Start, false),
            new(42, "seg-42.ts", 1.9996, Start.AddMilliseconds(2002), false),
            new(43, "seg-43.ts", 3.5, new DateTimeOffset(2024, 5, 6, 9, 8, 13, 251, TimeSpan.FromHours(2)), true),
        ];
        const string expected =
            "#EXTM3U\n" +
            "#EXT-X-VERSION:3\n" +
            "#EXT-X-TARGETDURATION:4\n" +
            "#EXT-X-MEDIA-SEQUENCE:41\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2024-05-06T07:08:09.250Z\n" +
            "#EXTINF:2.002,\n" +
            "seg-41.ts\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2024-05-06T07:08:11.252Z\n" +
            "#EXTINF:2.000,\n" +
            "seg-42.ts\n" +
            "#EXT-X-DISCONTINUITY\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2024-05-06T07:08:13.251Z\n" +
            "#EXTINF:3.500,\n" +
            "seg-43.ts\n";
        Assert.Equal(expected, HlsPlaylist.Write(window, ended: false));
        Assert.Equal(expected + "#EXT-X-ENDLIST\n", HlsPlaylist.Write(window, ended: true));
    }

    [Fact]
    public void Discontinuity_sequence_is_written_when_not_zero()
    {
        var text = HlsPlaylist.Write([new(7, "a.ts", 1, Start, false)], ended: false, discontinuitySequence: 2);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-PROGRAM-DATE-TIME:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.0, 2)]
    [InlineData(2.0004, 2)] // written as 2.000: the target must not exceed what the playlist shows
    [InlineData(2.0005, 3)] // written as 2.001
    [InlineData(5.999, 6)]
    [InlineData(0.4, 1)]
    public void Target_duration_is_the_ceiling_of_the_longest_written_duration(double longest, int target)
    {
        HlsSegment[] window = [new(0, "a.ts", 1, Start, false), new(1, "b.ts", longest, Start, false)];
        Assert.Equal(target, HlsPlaylist.TargetDuration(window));
        Assert.Contains($"#EXT-X-TARGETDURATION:{target}\n", HlsPlaylist.Write(window, false), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_windows_are_refused()
    {
        Assert.Throws<ArgumentException>(() => HlsPlaylist.Write([], false));
        Assert.Throws<ArgumentException>(() => HlsPlaylist.Write([new(1, "a.ts", 1, Start, false), new(3, "b.ts", 1, Start, false)], false));
        Assert.Throws<ArgumentException>(() => HlsPlaylist.Write([new(1, "a.ts\n#EXT-X-ENDLIST", 1, Start, false)], false));
        Assert.Throws<ArgumentException>(() => HlsPlaylist.Write([new(1, "a.ts", double.NaN, Start, false)], false));
        Assert.Throws<ArgumentException>(() => HlsPlaylist.Write([new(1, "a.ts", -1, Start, false)], false));
    }
}
