using System.Net;
using System.Text.Json;
using Platform.Load;
using static Platform.EndToEnd.Tests.ApiCalls;

namespace Platform.EndToEnd.Tests;

/// <summary>SRS's HTTP API: envelope, field names, paging and error codes, against a node with real clients.</summary>
[Collection("e2e")]
public class ApiTests
{
    private static readonly string[] Paths =
        ["/api/v1/versions", "/api/v1/summaries", "/api/v1/vhosts", "/api/v1/streams", "/api/v1/clients", "/api/v1/streams/vid-nope", "/api/v9/nothing"];

    [Fact]
    public async Task Every_answer_has_the_envelope_and_the_server_id_survives_a_restart()
    {
        string server;
        string service;
        string root;
        using var http = new HttpClient();
        await using (var first = await TestServer.StartAsync())
        {
            first.KeepStorage();
            root = first.StorageRoot;
            var answers = new List<JsonElement>();
            foreach (var path in Paths)
            {
                var (_, body) = await GetAsync(http, first.Api(path));
                AssertEnvelope(body);
                answers.Add(body);
            }

            server = answers[0].GetProperty("server").GetString()!;
            service = answers[0].GetProperty("service").GetString()!;
            Assert.All(answers, a => Assert.Equal(server, a.GetProperty("server").GetString()));
            Assert.All(answers, a => Assert.Equal(service, a.GetProperty("service").GetString()));
            var version = answers[0].GetProperty("data");
            Assert.Equal(["major", "minor", "revision", "version"], Names(version));
        }

        await using var second = await TestServer.StartAsync(storageRoot: root);
        var (_, again) = await GetAsync(http, second.Api("/api/v1/versions"));
        Assert.Equal(server, again.GetProperty("server").GetString());
        Assert.NotEqual(service, again.GetProperty("service").GetString());
    }

    [Fact]
    public async Task Streams_clients_vhosts_and_summaries_have_srs_fields_and_lists_page()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Apps:0:Hls:Fragment"] = "00:00:02" });
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/shape"));
        await Eventually.TrueAsync(() => server.Hubs.Find(new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "shape"))?.Stats.Video is not null,
            TimeSpan.FromSeconds(30), "publishing with video");
        var players = new List<RtmpClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var player = await RtmpClient.ConnectAsync(server.Rtmp("live/shape"));
                await player.PlayAsync();
                players.Add(player);
            }

            using var http = new HttpClient();
            JsonElement clients = default;
            await Eventually.TrueAsync(async () =>
            {
                clients = (await GetAsync(http, server.Api("/api/v1/clients"))).Body.GetProperty("clients");
                return clients.GetArrayLength() == 4 && clients.EnumerateArray().Count(c => c.GetProperty("type").GetString() == "rtmp-play") == 3;
            }, TimeSpan.FromSeconds(20), "publisher and 3 players listed");

            var (_, streams) = await GetAsync(http, server.Api("/api/v1/streams"));
            Assert.Equal(1, streams.GetProperty("total").GetInt32());
            var stream = Assert.Single(streams.GetProperty("streams").EnumerateArray());
            Assert.Equal(
                ["id", "name", "vhost", "app", "tcUrl", "url", "live_ms", "clients", "frames", "send_bytes", "recv_bytes", "kbps", "publish", "video", "audio", "workers", "source", "lineage", "node", "entity_node"],
                Names(stream));
            Assert.Equal(["recv_30s", "send_30s"], Names(stream.GetProperty("kbps")));
            Assert.Equal(["codec", "profile", "level", "width", "height"], Names(stream.GetProperty("video")));
            Assert.Equal(["codec", "sample_rate", "channel", "profile"], Names(stream.GetProperty("audio")));
            Assert.Equal(4, stream.GetProperty("clients").GetInt32());
            Assert.Equal("/live/shape", stream.GetProperty("url").GetString());
            Assert.StartsWith("vid-", stream.GetProperty("vhost").GetString(), StringComparison.Ordinal);
            Assert.InRange(stream.GetProperty("live_ms").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());

            var publisherClient = clients.EnumerateArray().Single(c => c.GetProperty("type").GetString() == "fmle-publish");
            Assert.Equal(
                ["id", "vhost", "stream", "ip", "pageUrl", "swfUrl", "tcUrl", "url", "name", "type", "publish", "alive", "send_bytes", "recv_bytes", "kbps", "node"],
                Names(publisherClient));
            Assert.True(publisherClient.GetProperty("publish").GetBoolean());
            Assert.Equal(publisherClient.GetProperty("id").GetString(), stream.GetProperty("publish").GetProperty("cid").GetString());
            Assert.All(clients.EnumerateArray(), c =>
            {
                Assert.Equal(stream.GetProperty("id").GetString(), c.GetProperty("stream").GetString());
                Assert.Equal(stream.GetProperty("vhost").GetString(), c.GetProperty("vhost").GetString());
                Assert.Equal("127.0.0.1", c.GetProperty("ip").GetString());
            });
            Assert.True(publisherClient.GetProperty("recv_bytes").GetInt64() > 0);

            var (_, vhosts) = await GetAsync(http, server.Api("/api/v1/vhosts"));
            var vhost = Assert.Single(vhosts.GetProperty("vhosts").EnumerateArray());
            Assert.Equal(["id", "name", "enabled", "clients", "streams", "send_bytes", "recv_bytes", "kbps", "hls"], Names(vhost));
            Assert.Equal(stream.GetProperty("vhost").GetString(), vhost.GetProperty("id").GetString());
            Assert.Equal("__defaultVhost__", vhost.GetProperty("name").GetString());
            Assert.Equal(4, vhost.GetProperty("clients").GetInt32());
            Assert.Equal(1, vhost.GetProperty("streams").GetInt32());
            Assert.True(vhost.GetProperty("recv_bytes").GetInt64() > 0);
            Assert.True(vhost.GetProperty("hls").GetProperty("enabled").GetBoolean());
            Assert.Equal(2.0, vhost.GetProperty("hls").GetProperty("fragment").GetDouble());
            var (status, one) = await GetAsync(http, server.Api("/api/v1/vhosts/" + vhost.GetProperty("id").GetString()));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("__defaultVhost__", one.GetProperty("vhost").GetProperty("name").GetString());

            // Paging: pages of two cover the four clients once each; past the end is empty.
            var ids = new List<string>();
            for (var start = 0; start < 6; start += 2)
            {
                var page = (await GetAsync(http, server.Api($"/api/v1/clients?start={start}&count=2"))).Body.GetProperty("clients");
                Assert.Equal(start < 4 ? 2 : 0, page.GetArrayLength());
                ids.AddRange(page.EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            }

            Assert.Equal(clients.EnumerateArray().Select(c => c.GetProperty("id").GetString()), ids);
            Assert.Empty((await GetAsync(http, server.Api("/api/v1/streams?start=1"))).Body.GetProperty("streams").EnumerateArray());

            var (_, summaries) = await GetAsync(http, server.Api("/api/v1/summaries"));
            var data = summaries.GetProperty("data");
            Assert.True(data.GetProperty("ok").GetBoolean());
            var self = data.GetProperty("self");
            Assert.Equal(Environment.ProcessId, self.GetProperty("pid").GetInt32());
            Assert.True(self.GetProperty("mem_kbyte").GetInt64() > 10_000, "RSS of a .NET process is over 10 MB");
            Assert.True(self.GetProperty("mem_percent").GetDouble() > 0);
            Assert.True(self.GetProperty("ppid").GetInt32() > 0);
            var system = data.GetProperty("system");
            Assert.Equal(Environment.ProcessorCount, system.GetProperty("cpus").GetInt32());
            Assert.True(system.GetProperty("mem_ram_kbyte").GetInt64() > 0);
            Assert.True(system.GetProperty("uptime").GetDouble() > 0);
            Assert.True(system.GetProperty("load_1m").GetDouble() >= 0);
            Assert.InRange(system.GetProperty("cpu_percent").GetDouble(), 0, 100);
            Assert.True(system.GetProperty("conn_sys_et").GetInt64() >= 4, "the node's own RTMP connections are established");
            Assert.Equal(4, system.GetProperty("conn_srs").GetInt32());
        }
        finally
        {
            players.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task Errors_have_srs_codes_and_fitting_statuses()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        AssertError(await GetAsync(http, server.Api("/api/v1/streams/vid-nope")), HttpStatusCode.NotFound, 2048);
        AssertError(await GetAsync(http, server.Api("/api/v1/clients/nope")), HttpStatusCode.NotFound, 2049);
        AssertError(await SendAsync(http, HttpMethod.Delete, server.Api("/api/v1/clients/nope")), HttpStatusCode.NotFound, 2049);
        AssertError(await GetAsync(http, server.Api("/api/v1/vhosts/vid-nope")), HttpStatusCode.NotFound, 2014);
        AssertError(await GetAsync(http, server.Api("/api/v1/streams?count=abc")), HttpStatusCode.BadRequest, 3007);
        AssertError(await GetAsync(http, server.Api("/api/v1/clients?start=-1")), HttpStatusCode.BadRequest, 3007);
        AssertError(await GetAsync(http, server.Api("/api/v1/clients?count=0")), HttpStatusCode.BadRequest, 3007);
        AssertError(await GetAsync(http, server.Api("/api/v9/nothing")), HttpStatusCode.NotFound, 3010);
        AssertError(await GetAsync(http, server.Api("/")), HttpStatusCode.NotFound, 3010);
        AssertError(await SendAsync(http, HttpMethod.Put, server.Api("/api/v1/streams")), HttpStatusCode.MethodNotAllowed, 3011);
        var (status, ok) = await GetAsync(http, server.Api("/api/v1/streams/"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, ok.GetProperty("code").GetInt32());
    }
}
