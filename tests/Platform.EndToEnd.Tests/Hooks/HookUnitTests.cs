using Microsoft.Extensions.Configuration;
using Platform.Api.Hooks;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Workers;

namespace Platform.EndToEnd.Tests.Hooks;

/// <summary>Pure parts of the HTTP callbacks: what counts as "yes", the bodies, the rules, the queue.</summary>
public class HookUnitTests
{
    private static readonly HookNode Node = new("vid-abc1234", "svc12345", "/srv/platform");

    private static readonly ClientInfo Publisher = new("k3x9a0b1", ClientKind.RtmpPublisher, "192.168.1.10",
        new StreamKey(StreamKey.DefaultVhost, "live", "livestream"), "rtmp://video.test.com/live", "http://www.test.com/live.html", string.Empty,
        "token=xxx&salt=yyy", DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData(200, "0")]
    [InlineData(201, "0")]
    [InlineData(200, " 0\r\n")]
    [InlineData(200, "\uFEFF0")]
    [InlineData(200, "{\"code\":0}")]
    [InlineData(200, " {\"code\": 0, \"data\": {\"x\": 1}}\n")]
    [InlineData(201, "{\"data\":\"\",\"code\":0}")]
    public void These_answers_allow(int status, string body) => Assert.Null(HookResponse.Reject(status, body));

    [Theory]
    [InlineData(200, "1")]
    [InlineData(200, "")]
    [InlineData(200, "  \n")]
    [InlineData(200, "00")]
    [InlineData(200, "0.0")]
    [InlineData(200, "0 1")]
    [InlineData(200, "\"0\"")]
    [InlineData(200, "ok")]
    [InlineData(200, "[0]")]
    [InlineData(200, "{}")]
    [InlineData(200, "{\"code\":1}")]
    [InlineData(200, "{\"code\":\"0\"}")]
    [InlineData(200, "{\"code\":0.0}")]
    [InlineData(200, "{\"code\":null}")]
    [InlineData(200, "{code:0}")]
    [InlineData(200, "{\"code\":0}trailing")]
    [InlineData(200, "<html>0</html>")]
    [InlineData(202, "0")]
    [InlineData(204, "")]
    [InlineData(302, "0")]
    [InlineData(404, "0")]
    [InlineData(500, "0")]
    public void These_answers_refuse(int status, string body)
    {
        var reason = HookResponse.Reject(status, body);
        Assert.NotNull(reason);
        Assert.Contains($"HTTP {status}", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_body_has_srs_fields_in_srs_order()
    {
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_publish\",\"client_id\":\"k3x9a0b1\",\"ip\":\"192.168.1.10\","
            + "\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"tcUrl\":\"rtmp://video.test.com/live\",\"stream\":\"livestream\",\"param\":\"?token=xxx&salt=yyy\","
            + "\"stream_url\":\"/live/livestream\",\"stream_id\":\"" + Api.Endpoints.StreamDirectory.IdOf(Publisher.Stream) + "\"}",
            HookBodies.ForStream(HookAction.OnPublish, Node, Publisher));
        Assert.Contains("\"action\":\"on_unpublish\"", HookBodies.ForStream(HookAction.OnUnpublish, Node, Publisher), StringComparison.Ordinal);
        Assert.Contains("\"action\":\"on_stop\"", HookBodies.ForStream(HookAction.OnStop, Node, Publisher), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => HookBodies.ForStream(HookAction.OnClose, Node, Publisher));
    }

    [Fact]
    public void Play_body_carries_the_page_url()
    {
        var player = Publisher with { Kind = ClientKind.FlvPlayer, Param = string.Empty, Stream = new StreamKey("video.test.com", "live", "s") };
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_play\",\"client_id\":\"k3x9a0b1\",\"ip\":\"192.168.1.10\","
            + "\"vhost\":\"video.test.com\",\"app\":\"live\",\"stream\":\"s\",\"tcUrl\":\"rtmp://video.test.com/live\",\"param\":\"\","
            + "\"pageUrl\":\"http://www.test.com/live.html\",\"stream_url\":\"video.test.com/live/s\",\"stream_id\":\"" + Api.Endpoints.StreamDirectory.IdOf(player.Stream) + "\"}",
            HookBodies.ForStream(HookAction.OnPlay, Node, player));
    }

    [Fact]
    public void Connect_and_close_bodies()
    {
        var connecting = Publisher with { Kind = ClientKind.RtmpConnecting, Stream = Publisher.Stream with { Stream = string.Empty }, Param = "k=v" };
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_connect\",\"client_id\":\"k3x9a0b1\",\"ip\":\"192.168.1.10\","
            + "\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"stream\":\"\",\"param\":\"?k=v\",\"tcUrl\":\"rtmp://video.test.com/live\","
            + "\"pageUrl\":\"http://www.test.com/live.html\"}",
            HookBodies.Connect(Node, connecting));
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_close\",\"client_id\":\"k3x9a0b1\",\"ip\":\"192.168.1.10\","
            + "\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"send_bytes\":10240,\"recv_bytes\":20480}",
            HookBodies.Close(Node, Publisher with { BytesSent = 10240, BytesReceived = 20480 }));

        // A connection whose app could not be resolved still gets a well-formed body.
        var unknown = connecting with { Stream = default };
        Assert.Contains("\"vhost\":\"\",\"app\":\"\",\"stream\":\"\"", HookBodies.Connect(Node, unknown), StringComparison.Ordinal);
    }

    [Fact]
    public void Dvr_and_hls_bodies()
    {
        var stream = Publisher.Stream;
        var dvr = new DvrFileClosed(stream, "/data/dvr/live/livestream.1.flv", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(9.5), 1000);
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_dvr\",\"client_id\":\"k3x9a0b1\",\"ip\":\"192.168.1.10\","
            + "\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"tcUrl\":\"rtmp://video.test.com/live\",\"stream\":\"livestream\",\"param\":\"?token=xxx&salt=yyy\","
            + "\"cwd\":\"/srv/platform\",\"file\":\"/data/dvr/live/livestream.1.flv\",\"stream_url\":\"/live/livestream\",\"stream_id\":\"" + Api.Endpoints.StreamDirectory.IdOf(stream) + "\"}",
            HookBodies.Dvr(Node, dvr, Publisher));

        var hls = new HlsSegmentClosed(stream, "/data/hls/live/livestream-7.ts", "livestream-7.ts", 7, 4.0213, "/data/hls/live/livestream.m3u8");
        Assert.Equal(
            "{\"server_id\":\"vid-abc1234\",\"service_id\":\"svc12345\",\"action\":\"on_hls\",\"client_id\":\"\",\"ip\":\"\","
            + "\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"tcUrl\":\"\",\"stream\":\"livestream\",\"param\":\"\",\"duration\":4.021,"
            + "\"cwd\":\"/srv/platform\",\"file\":\"/data/hls/live/livestream-7.ts\",\"url\":\"live/livestream-7.ts\",\"m3u8\":\"/data/hls/live/livestream.m3u8\","
            + "\"m3u8_url\":\"live/livestream.m3u8\",\"seq_no\":7,\"stream_url\":\"/live/livestream\",\"stream_id\":\"" + Api.Endpoints.StreamDirectory.IdOf(stream) + "\"}",
            HookBodies.Hls(Node, hls, null));

        // A segment outside the app's folder is written in the playlist from the root.
        var outside = hls with { Uri = "/other/livestream-7.ts" };
        Assert.Contains("\"url\":\"other/livestream-7.ts\"", HookBodies.Hls(Node, outside, Publisher), StringComparison.Ordinal);
    }

    private static HookRuleSet Load(Dictionary<string, string?> values, out IReadOnlyList<string> errors) =>
        HookRuleSet.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), out errors);

    [Fact]
    public void The_first_matching_rule_gives_the_urls_in_order()
    {
        var rules = Load(new()
        {
            ["Hooks:Rules:0:App"] = "private",
            ["Hooks:Rules:0:Enabled"] = "false",
            ["Hooks:Rules:0:OnPublish:0"] = "http://a/never",
            ["Hooks:Rules:1:Vhost"] = "default",
            ["Hooks:Rules:1:App"] = "li?e",
            ["Hooks:Rules:1:OnPublish:0"] = "http://a/1",
            ["Hooks:Rules:1:OnPublish:1"] = " https://b:8443/2 ",
            ["Hooks:Rules:2:OnPublish:0"] = "http://c/any",
        }, out var errors);
        Assert.Empty(errors);
        Assert.Equal(["http://a/1", "https://b:8443/2"], rules.UrlsFor(HookAction.OnPublish, StreamKey.DefaultVhost, "live").Select(u => u.ToString()));
        Assert.Empty(rules.UrlsFor(HookAction.OnPlay, StreamKey.DefaultVhost, "live"));
        Assert.Empty(rules.UrlsFor(HookAction.OnPublish, StreamKey.DefaultVhost, "private"));
        Assert.Equal(["http://c/any"], rules.UrlsFor(HookAction.OnPublish, "other.vhost", "live").Select(u => u.ToString()));
        Assert.Equal(["http://c/any"], rules.UrlsFor(HookAction.OnPublish, null, null).Select(u => u.ToString()));
        Assert.True(rules.HasAny);
        Assert.False(Load([], out _).HasAny);
    }

    [Fact]
    public void The_readme_example_loads_from_json()
    {
        const string json = """
            { "Hooks": {
              "Timeout": "00:00:05", "Retries": 3, "RetryDelay": "00:00:01",
              "Rules": [
                { "App": "live",
                  "OnConnect":   [ "http://127.0.0.1:8085/api/v1/clients" ],
                  "OnPublish":   [ "http://127.0.0.1:8085/api/v1/streams", "https://auth.example.com/publish" ],
                  "OnUnpublish": [ "http://127.0.0.1:8085/api/v1/streams" ],
                  "OnPlay": [ "http://127.0.0.1:8085/api/v1/sessions" ], "OnStop": [ "http://127.0.0.1:8085/api/v1/sessions" ],
                  "OnClose": [ "http://127.0.0.1:8085/api/v1/clients" ],
                  "OnDvr": [ "http://127.0.0.1:8085/api/v1/dvrs" ], "OnHls": [ "http://127.0.0.1:8085/api/v1/hls" ] },
                { "App": "private", "Enabled": false }
              ]
            } }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var rules = HookRuleSet.Load(configuration, out var errors);
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(5), rules.Timeout);
        Assert.Equal(2, rules.UrlsFor(HookAction.OnPublish, StreamKey.DefaultVhost, "live").Count);
        Assert.All(HookActions.All, a => Assert.NotEmpty(rules.UrlsFor(a, StreamKey.DefaultVhost, "live")));
        Assert.Empty(rules.UrlsFor(HookAction.OnPublish, StreamKey.DefaultVhost, "private"));
    }

    [Fact]
    public void Wrong_values_are_named_by_their_key()
    {
        Load(new()
        {
            ["Hooks:Timeout"] = "00:00:00",
            ["Hooks:Retries"] = "11",
            ["Hooks:QueueCapacity"] = "0",
            ["Hooks:Rules:0:OnPublish:0"] = "http://ok/",
            ["Hooks:Rules:0:OnPublish:1"] = "ftp://x/hook",
            ["Hooks:Rules:0:OnPlay:0"] = "/relative",
            ["Hooks:Rules:0:OnHls:0"] = "http://user:pass@host/",
            ["Hooks:Rules:1:OnStop"] = "http://not-a-list/",
            ["Hooks:Rules:1:OnPublsh:0"] = "http://typo/",
            ["Hooks:Retry"] = "1",
        }, out var errors);
        string[] expected =
        [
            "Hooks:Timeout = 00:00:00:",
            "Hooks:Retries = 11:",
            "Hooks:QueueCapacity = 0:",
            "Hooks:Rules:0:OnPublish:1 = ftp://x/hook: not an absolute http or https URL",
            "Hooks:Rules:0:OnPlay:0 = /relative: not an absolute http or https URL",
            "Hooks:Rules:0:OnHls:0 = http://user:pass@host/:",
            "Hooks:Rules:1:OnStop = http://not-a-list/: a list of URLs is expected",
            "Hooks:Rules:1:OnPublsh: unknown key",
            "Hooks:Retry: unknown key",
        ];
        foreach (var message in expected)
        {
            Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, errors.Count);
        Load(new() { ["Hooks:Timeout"] = "soon" }, out errors);
        Assert.Contains("Hooks:Timeout", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_wait_twice_as_long_each_time_up_to_30_seconds()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        Assert.Equal([100, 200, 400, 800], Enumerable.Range(1, 4).Select(r => HookNotifier.Backoff(delay, r).TotalMilliseconds));
        Assert.Equal(TimeSpan.FromSeconds(30), HookNotifier.Backoff(TimeSpan.FromSeconds(1), 10));
        Assert.Equal(TimeSpan.FromSeconds(30), HookNotifier.Backoff(TimeSpan.FromMinutes(5), 100));
        Assert.Equal(TimeSpan.Zero, HookNotifier.Backoff(TimeSpan.Zero, 3));
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_notification()
    {
        var dropped = new List<HookJob>();
        var queue = new HookQueue(2, dropped.Add);
        var jobs = Enumerable.Range(1, 5).Select(i => new HookJob(HookAction.OnStop, new Uri($"http://h/{i}"), "{}")).ToList();
        Assert.All(jobs, j => Assert.True(queue.Add(j)));
        Assert.Equal(3, queue.Dropped);
        Assert.Equal(jobs[..3], dropped);
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.True(queue.Reader.TryRead(out var second));
        Assert.Equal([jobs[3], jobs[4]], [first!, second!]);
        queue.Close();
        Assert.False(queue.Add(jobs[0]));
    }

    [Fact]
    public void The_publisher_directory_is_bounded()
    {
        var directory = new PublisherDirectory();
        for (var i = 0; i <= PublisherDirectory.Capacity; i++)
        {
            directory.Record(Publisher with { Stream = Publisher.Stream with { Stream = "s" + i } });
        }

        Assert.Null(directory.Find(Publisher.Stream with { Stream = "s0" }));
        Assert.Equal("k3x9a0b1", directory.Find(Publisher.Stream with { Stream = "s" + PublisherDirectory.Capacity })?.Id);
    }
}
