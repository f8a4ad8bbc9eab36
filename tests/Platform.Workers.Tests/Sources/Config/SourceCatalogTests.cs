using Platform.Sources.Config;
using Platform.Streams;

namespace Platform.Workers.Tests.Sources.Config;

public sealed class SourceCatalogTests
{
    private static StreamKey Key(string app, string stream, string vhost = StreamKey.DefaultVhost) => new(vhost, app, stream);

    [Fact]
    public void A_fixed_stream_resolves_to_its_url_and_is_always_on_unless_on_demand()
    {
        var catalog = new SourceCatalog(
        [
            new SourceRule { Stream = "live/cam1", Url = "rtsp://10.0.0.1/h264" },
            new SourceRule { Stream = "live/relay", Url = "rtmp://other/live/s", OnDemand = true },
            new SourceRule { Stream = "live/off", Url = "rtmp://other/live/s", Enabled = false },
        ]);

        var cam = catalog.Resolve(Key("live", "cam1"))!;
        Assert.Equal(["rtsp://10.0.0.1/h264"], cam.Urls);
        Assert.Equal(SourceInput.Ffmpeg, cam.Input);
        Assert.True(cam.AlwaysOn);
        Assert.Equal("ffmpeg", cam.Kind);

        var relay = catalog.Resolve(Key("live", "relay"))!;
        Assert.Equal(SourceInput.Rtmp, relay.Input);
        Assert.False(relay.AlwaysOn);

        Assert.Null(catalog.Resolve(Key("live", "off")));
        Assert.Null(catalog.Resolve(Key("live", "cam2")));
        Assert.Null(catalog.Resolve(Key("other", "cam1")));
        Assert.Equal([Key("live", "cam1")], catalog.AlwaysOn.Select(s => s.Stream));
    }

    [Fact]
    public void Variables_of_a_pattern_are_put_into_the_url()
    {
        var catalog = new SourceCatalog(
        [
            new SourceRule { Stream = "cams/cam-{id}", Url = "rtsp://10.0.0.{id}:554/{id}/main", OnDemand = true },
            new SourceRule { Stream = "tv.example/ch/{name}", Url = "http://upstream/ch/{name}.flv", OnDemand = true },
        ]);

        Assert.Equal(["rtsp://10.0.0.17:554/17/main"], catalog.Resolve(Key("cams", "cam-17"))!.Urls);
        Assert.Null(catalog.Resolve(Key("cams", "cam-"))); // a variable is never empty
        Assert.Null(catalog.Resolve(Key("cams", "dog-17")));
        var channel = catalog.Resolve(Key("ch", "news", "tv.example"))!;
        Assert.Equal(["http://upstream/ch/news.flv"], channel.Urls);
        Assert.Equal(SourceInput.Flv, channel.Input);
        Assert.Empty(catalog.AlwaysOn); // patterns are on demand only
    }

    [Fact]
    public void An_app_with_origins_pulls_streams_nobody_configured_from_them()
    {
        var catalog = new SourceCatalog(
            [new SourceRule { Stream = "edge/special", Url = "rtmp://elsewhere/x/y", OnDemand = true }],
            stream => stream.App == "edge" ? ["rtmp://o1:1935/live", "http://o2:8080/live?token=t", "rtmp://o3/app/[stream]_hd"] : []);

        var edge = catalog.Resolve(Key("edge", "s1"))!;
        Assert.True(edge.FromOrigin);
        Assert.False(edge.AlwaysOn);
        Assert.Equal("origin", edge.Kind);
        Assert.Equal(["rtmp://o1:1935/live/s1", "http://o2:8080/live/s1.flv?token=t", "rtmp://o3/app/s1_hd"], edge.Urls);
        Assert.Equal(["rtmp://elsewhere/x/y"], catalog.Resolve(Key("edge", "special"))!.Urls); // an entry wins
        Assert.Null(catalog.Resolve(Key("live", "s1")));
    }

    [Theory]
    [InlineData("rtmp://h/live/s", SourceInput.Rtmp)]
    [InlineData("http://h:8080/live/s.flv", SourceInput.Flv)]
    [InlineData("https://h/live/s.flv?token=x", SourceInput.Flv)]
    [InlineData("http://h/live/s.m3u8", SourceInput.Ffmpeg)]
    [InlineData("rtsp://user:pw@cam/stream", SourceInput.Ffmpeg)]
    [InlineData("srt://127.0.0.1:9000?mode=caller", SourceInput.Ffmpeg)]
    [InlineData("/var/media/loop.mp4", SourceInput.Ffmpeg)]
    public void Urls_are_pulled_by_the_platform_or_by_ffmpeg(string url, SourceInput input) =>
        Assert.Equal(input, SourceUrls.Classify(url, out _));

    [Theory]
    [InlineData("rtsp://admin:secret@10.0.0.1/h264", "rtsp://***@10.0.0.1/h264")]
    [InlineData("rtmp://h/live/s?token=abc&x=1", "rtmp://h/live/s?token=***&x=1")]
    [InlineData("/files/a.flv", "/files/a.flv")]
    public void Urls_are_shown_without_credentials(string url, string shown) => Assert.Equal(shown, SourceUrls.Shown(url));

    [Theory]
    [InlineData("[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized rtsp://admin:secret@10.0.0.1/h264", "[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized rtsp://***@10.0.0.1/h264")]
    [InlineData("http://u:p@h/a.flv?sign=abc: 404", "http://***@h/a.flv?sign=*** 404")]
    [InlineData("exited with code 1", "exited with code 1")]
    public void Log_lines_and_reasons_quoting_a_url_are_scrubbed(string line, string shown) => Assert.Equal(shown, SourceUrls.Scrubbed(line));

    [Fact]
    public void Mistakes_are_named_by_their_key()
    {
        var problems = SourceCatalog.Validate(
        [
            new SourceRule { Stream = "live", Url = "rtmp://h/live/s" },
            new SourceRule { Stream = "live/cam-{id}", Url = "rtsp://10.0.0.{id}/x" },
            new SourceRule { Stream = "live/cam-{id}", Url = "rtsp://10.0.0.{n}/x", OnDemand = true },
            new SourceRule { Stream = "live/a", Url = "ftp://h/a", RtspTransport = "sctp" },
            new SourceRule { Stream = "live/b", Url = "rtmp://h/live/b", StartTimeout = TimeSpan.Zero },
            new SourceRule { Stream = "live/b", Url = "rtmp://h/live/c" },
        ]);

        Assert.Contains(problems, p => p.StartsWith("Sources:0:Stream", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Sources:1:Stream", StringComparison.Ordinal) && p.Contains("OnDemand", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Sources:2:Url uses {n}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Sources:3:Url", StringComparison.Ordinal) && p.Contains("ftp://", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Sources:3:RtspTransport", StringComparison.Ordinal));
        Assert.Contains(problems, p => p == "Sources:4:StartTimeout must be more than zero");
        Assert.Contains(problems, p => p.StartsWith("Sources:5:Stream = 'live/b' is already the stream of Sources:4", StringComparison.Ordinal));
        Assert.Empty(SourceCatalog.Validate([new SourceRule { Stream = "v/live/cam-{id}", Url = "rtsp://c/{id}", OnDemand = true }]));
    }

    [Fact]
    public void Origins_must_be_pulled_by_the_platforms_own_clients()
    {
        Assert.Empty(SourceCatalog.ValidateOrigins("Apps:0:Origins", ["rtmp://o1/live", "http://o2:8080/live"]));
        var problems = SourceCatalog.ValidateOrigins("Apps:0:Origins", ["rtsp://cam/live", "nonsense"]);
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Apps:0:Origins:0 = 'rtsp://cam/live'", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Apps:0:Origins:1", problems[1], StringComparison.Ordinal);
    }
}
