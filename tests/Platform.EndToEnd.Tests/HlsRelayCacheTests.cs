using Platform.Api.Endpoints;

namespace Platform.EndToEnd.Tests;

/// <summary>What a relaying node keeps of HLS files: a recent playlist for a few seconds, segments within a byte budget.</summary>
public class HlsRelayCacheTests
{
    [Fact]
    public void A_playlist_stands_in_only_while_it_is_recent()
    {
        var clock = new Clock { Now = DateTimeOffset.UnixEpoch };
        var cache = new HlsRelayCache(staleFor: TimeSpan.FromSeconds(15), time: clock);
        Assert.Null(cache.StalePlaylist("live/s.m3u8"));
        cache.Playlist("live/s.m3u8", [1, 2, 3]);
        clock.Now += TimeSpan.FromSeconds(15);
        Assert.Equal([1, 2, 3], cache.StalePlaylist("live/s.m3u8"));
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.Null(cache.StalePlaylist("live/s.m3u8"));
    }

    [Fact]
    public void Segments_past_the_byte_budget_drop_the_oldest_first()
    {
        var cache = new HlsRelayCache(maxBytes: 250);
        cache.AddSegment("live/s-1.ts", new byte[100]);
        cache.AddSegment("live/s-2.ts", new byte[100]);
        cache.AddSegment("live/s-2.ts", new byte[100]);
        Assert.Equal(200, cache.Bytes);
        cache.AddSegment("live/s-3.ts", new byte[100]);
        Assert.False(cache.HasSegment("live/s-1.ts"));
        Assert.True(cache.HasSegment("live/s-2.ts") && cache.HasSegment("live/s-3.ts"));
        Assert.Equal(200, cache.Bytes);
        cache.AddSegment("live/huge.ts", new byte[251]);
        Assert.False(cache.HasSegment("live/huge.ts"));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
