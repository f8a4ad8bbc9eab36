using System.Buffers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Platform.Media.Cluster;
using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>One three-node cluster shared by the tests of <see cref="ClusterMediaTests"/>.</summary>
public sealed class ThreeNodes : IAsyncLifetime
{
    public ClusterNodes Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ClusterNodes.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>The cluster's media plane with real node processes and real ffmpeg/ffprobe on loopback.</summary>
[Collection("e2e")]
public class ClusterMediaTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    private ClusterNodes Cluster => nodes.Cluster;

    [Fact]
    public async Task A_stream_published_on_one_node_plays_on_every_node_over_rtmp_flv_and_hls()
    {
        await using var publisher = Ffmpeg.Publish(Cluster[0].Rtmp("live/every"), size: "640x360");
        foreach (var node in Cluster.Nodes)
        {
            var streams = await Probe.StreamsAsync(node.Rtmp("live/every"));
            var video = Assert.Single(streams, s => s.CodecType == "video");
            Assert.Equal(("h264", 640, 360), (video.CodecName, video.Width, video.Height));
            Assert.Equal("aac", Assert.Single(streams, s => s.CodecType == "audio").CodecName);

            var (exit, errors, frames) = await Probe.DecodeAsync(node.Http("live/every.flv"), 2);
            Assert.True(exit == 0 && errors.Length == 0, $"{node.Address}: {errors}");
            Assert.True(frames >= 40, $"{node.Address}: {frames} frames over HTTP-FLV");
        }

        foreach (var node in Cluster.Nodes)
        {
            await WaitHlsAsync(node, "live/every.m3u8");
            var (exit, errors, frames) = await Probe.DecodeAsync(node.Http("live/every.m3u8"), 2, TimeSpan.FromSeconds(60));
            Assert.True(exit == 0 && errors.Length == 0, $"{node.Address} HLS: {errors}");
            Assert.True(frames >= 40, $"{node.Address}: {frames} frames over HLS");
        }
    }

    [Fact]
    public async Task One_link_per_stream_per_node_the_api_sees_the_whole_cluster_and_every_node_frees_the_stream()
    {
        var (a, b, c) = (Cluster[0], Cluster[1], Cluster[2]);
        var publisher = Ffmpeg.Publish(a.Rtmp("live/fan"));
        var players = new List<Task<(int Exit, string Errors, int Frames)>>();
        players.AddRange(Enumerable.Range(0, 3).Select(_ => Probe.DecodeAsync(b.Rtmp("live/fan"), 8, TimeSpan.FromSeconds(60))));
        players.AddRange(Enumerable.Range(0, 2).Select(_ => Probe.DecodeAsync(c.Http("live/fan.flv"), 8, TimeSpan.FromSeconds(60))));
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var clients = (await ClientsAsync(c)).Where(x => Url(x) == "/live/fan").ToList();
                return clients.Count(x => Type(x) == "rtmp-play") == 3 && clients.Count(x => Type(x) == "flv-play") == 2
                    && clients.Count(x => Type(x) == "cluster-link-in") == 2;
            }, TimeSpan.FromSeconds(30), "players and links listed");

            // Asked of any node, the list is the cluster's: each client on the node it is on.
            foreach (var asked in Cluster.Nodes)
            {
                var clients = (await ClientsAsync(asked)).Where(x => Url(x) == "/live/fan").ToList();
                Assert.All(clients.Where(x => Type(x) == "rtmp-play"), x => Assert.Equal(b.Address, Node(x)));
                Assert.All(clients.Where(x => Type(x) == "flv-play"), x => Assert.Equal(c.Address, Node(x)));
                Assert.Equal(a.Address, Node(Assert.Single(clients, x => Type(x) == "fmle-publish")));

                // One link per reading node, whatever its number of players: 3 players on B, 2 on C, one link each.
                var outgoing = clients.Where(x => Type(x) == "cluster-link-out").ToList();
                Assert.All(outgoing, x => Assert.Equal(a.Address, Node(x)));
                string[] readers = [.. new[] { b.Address, c.Address }.Order(StringComparer.Ordinal)];
                Assert.Equal(readers, outgoing.Select(x => x.GetProperty("tcUrl").GetString()!).Order(StringComparer.Ordinal));
                Assert.Equal(readers, clients.Where(x => Type(x) == "cluster-link-in").Select(Node).Order(StringComparer.Ordinal));

                var stream = await StreamAsync(asked, "fan");
                Assert.True(IsPublished(stream));
                Assert.Equal(a.Address, stream!.Value.GetProperty("node").GetString());
                Assert.Equal(6, stream.Value.GetProperty("clients").GetInt32()); // the publisher and five players, no link
            }

            foreach (var play in await Task.WhenAll(players))
            {
                Assert.True(play.Exit == 0 && play.Errors.Length == 0, play.Errors);
                Assert.True(play.Frames >= 150, $"{play.Frames} frames");
            }
        }
        finally
        {
            await publisher.DisposeAsync();
        }

        // When the stream ends, every node frees its hub, its link and the entity.
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            var summary = await GetAsync(b, "/api/v1/summaries");
            var cluster = summary.GetProperty("cluster");
            var all = cluster.GetProperty("nodes").EnumerateArray().ToList();
            return all.Count == 3 && !cluster.GetProperty("partial").GetBoolean()
                && all.All(n => n.GetProperty("hubs").GetInt32() == 0 && n.GetProperty("links").GetInt32() == 0 && n.GetProperty("entities").GetInt32() == 0);
        }, TimeSpan.FromSeconds(40), "every node freed the stream");
        Assert.Null(await StreamAsync(c, "fan"));
    }

    [Fact]
    public async Task A_player_arriving_while_the_link_lingers_reuses_it_and_one_arriving_later_opens_it_again()
    {
        var a = Cluster[0];
        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/linger"));

        // Read on a node without the stream's HLS worker (a reader of its own that would hold the link).
        JsonElement? stream = null;
        await Eventually.TrueAsync(async () => IsPublished(stream = await StreamAsync(a, "linger")), TimeSpan.FromSeconds(20), "published");
        var entity = stream!.Value.GetProperty("entity_node").GetString();
        var b = Cluster.Nodes.First(n => n != a && n.Address != entity);
        async Task<List<string>> LinksAsync() =>
            [.. (await ClientsAsync(b)).Where(x => Url(x) == "/live/linger" && Type(x) == "cluster-link-in" && Node(x) == b.Address).Select(x => x.GetProperty("id").GetString()!)];

        var first = await Probe.DecodeAsync(b.Rtmp("live/linger"), 2, TimeSpan.FromSeconds(60));
        Assert.True(first.Exit == 0 && first.Errors.Length == 0, first.Errors);
        var lingering = Assert.Single(await LinksAsync());

        // Within Cluster:LinkLinger (3 s here) the next player takes the same link: no new connection.
        var second = Probe.DecodeAsync(b.Http("live/linger.flv"), 2, TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => (await ClientsAsync(b)).Any(x => Url(x) == "/live/linger" && Type(x) == "flv-play"), TimeSpan.FromSeconds(10), "second player");
        Assert.Equal([lingering], await LinksAsync());
        var played = await second;
        Assert.True(played.Exit == 0 && played.Errors.Length == 0 && played.Frames >= 40, played.Errors);

        // Past the linger the link closes; the next player opens a new one.
        await Eventually.TrueAsync(async () => (await LinksAsync()).Count == 0, TimeSpan.FromSeconds(20), "the link closed after its linger");
        var third = await Probe.DecodeAsync(b.Rtmp("live/linger"), 2, TimeSpan.FromSeconds(60));
        Assert.True(third.Exit == 0 && third.Errors.Length == 0 && third.Frames >= 40, third.Errors);
        Assert.DoesNotContain(lingering, await LinksAsync());
    }

    [Fact]
    public async Task A_player_waiting_on_one_node_starts_when_the_stream_is_published_on_another()
    {
        var (a, b) = (Cluster[0], Cluster[1]);
        var rtmp = Probe.DecodeAsync(b.Rtmp("live/late"), 3, TimeSpan.FromSeconds(60));
        var flv = Probe.DecodeAsync(b.Http("live/late.flv"), 3, TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => (await ClientsAsync(a)).Count(x => Url(x) == "/live/late" && Type(x) is "rtmp-play" or "flv-play") == 2,
            TimeSpan.FromSeconds(20), "two players waiting on B");
        await Task.Delay(1000);

        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/late"));
        foreach (var play in new[] { await rtmp, await flv })
        {
            Assert.True(play.Exit == 0 && play.Errors.Length == 0, play.Errors);
            Assert.True(play.Frames >= 50, $"{play.Frames} frames");
        }
    }

    [Fact]
    public async Task Players_on_other_nodes_continue_when_the_publisher_moves_to_another_node()
    {
        var (a, b, c) = (Cluster[0], Cluster[1], Cluster[2]);
        var first = Ffmpeg.Publish(a.Rtmp("live/move"));
        var rtmp = Probe.DecodeAsync(c.Rtmp("live/move"), 10, TimeSpan.FromSeconds(90));
        var flv = Probe.DecodeAsync(b.Http("live/move.flv"), 10, TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => (await ClientsAsync(a)).Count(x => Url(x) == "/live/move" && Type(x) == "cluster-link-in") == 2,
            TimeSpan.FromSeconds(20), "links from B and C");
        await Task.Delay(4000);
        await first.DisposeAsync();

        // The encoder comes back on another node: B and C follow it there without their players noticing.
        await using var second = await PublishUntilAcceptedAsync(b, "live/move", TimeSpan.FromSeconds(30));
        foreach (var play in new[] { await rtmp, await flv })
        {
            Assert.True(play.Exit == 0 && play.Errors.Length == 0, play.Errors);
            Assert.True(play.Frames >= 200, $"{play.Frames} frames over 10 s across the move");
        }

        var links = (await ClientsAsync(c)).Where(x => Url(x) == "/live/move" && Type(x) == "cluster-link-out").ToList();
        Assert.All(links, x => Assert.Equal(b.Address, Node(x)));
    }

    [Fact]
    public async Task Clients_are_kicked_and_recording_is_controlled_from_any_node()
    {
        var (a, b, c) = (Cluster[0], Cluster[1], Cluster[2]);
        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/ops"));
        var player = Probe.DecodeAsync(b.Rtmp("live/ops"), 60, TimeSpan.FromSeconds(90));
        JsonElement target = default;
        await Eventually.TrueAsync(async () =>
        {
            var found = (await ClientsAsync(c)).Where(x => Url(x) == "/live/ops" && Type(x) == "rtmp-play").ToList();
            target = found.FirstOrDefault();
            return found.Count == 1;
        }, TimeSpan.FromSeconds(20), "the player listed");

        using var http = new HttpClient();
        var id = target.GetProperty("id").GetString()!;
        var kick = await ApiCalls.SendAsync(http, HttpMethod.Delete, c.Api($"/api/v1/clients/{id}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, kick.Status);
        var kicked = kick.Body.GetProperty("kicked");
        Assert.Equal(b.Address, kicked.GetProperty("node").GetString());
        Assert.True(kicked.GetProperty("closed").GetBoolean());
        var ended = await player;
        Assert.True(ended.Frames < 60 * 25, "the kicked player stopped early");
        var gone = await ApiCalls.SendAsync(http, HttpMethod.Get, a.Api($"/api/v1/clients/{id}"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.Status);

        JsonElement? stream = null;
        await Eventually.TrueAsync(async () => IsPublished(stream = await StreamAsync(c, "ops")), TimeSpan.FromSeconds(20), "published");
        var streamId = stream!.Value.GetProperty("id").GetString();
        var start = await ApiCalls.SendAsync(http, HttpMethod.Post, c.Api($"/api/v1/streams/{streamId}/dvr"));
        Assert.True(start.Status == System.Net.HttpStatusCode.OK, start.Body.ToString());
        await Task.Delay(3000);
        var stop = await ApiCalls.SendAsync(http, HttpMethod.Delete, b.Api($"/api/v1/streams/{streamId}/dvr"));
        Assert.True(stop.Status == System.Net.HttpStatusCode.OK, stop.Body.ToString());
        var entityNode = Cluster.Nodes.Single(n => n.Address == stream.Value.GetProperty("entity_node").GetString());
        var last = "";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                // Listed on any node, with the node that recorded it (the entity's, where the worker runs).
                var dvrs = await ApiCalls.SendAsync(http, HttpMethod.Get, a.Api("/api/v1/dvrs?stream=ops"));
                last = dvrs.Body.ToString();
                return dvrs.Status == System.Net.HttpStatusCode.OK && dvrs.Body.GetProperty("total").GetInt32() == 1
                    && dvrs.Body.GetProperty("dvrs")[0].GetProperty("node").GetString() == entityNode.Address;
            }, TimeSpan.FromSeconds(20), "the recording listed with the node that made it");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}: {last}\n{Cluster.Logs}", ex);
        }
    }

    [Fact]
    public async Task A_link_without_the_cluster_secret_is_refused()
    {
        await using var publisher = Ffmpeg.Publish(Cluster[0].Rtmp("live/secret"));
        await Eventually.TrueAsync(async () => IsPublished(await StreamAsync(Cluster[0], "secret")), TimeSpan.FromSeconds(30), "published");

        foreach (var secret in new[] { "not-the-cluster-secret", ClusterNodes.Secret })
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", Cluster[0].MediaPort);
            using var stream = new NetworkStream(socket);
            var challenge = new byte[MediaLinkProtocol.ChallengeLength];
            await stream.ReadExactlyAsync(challenge);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(challenge));
            var nonce = new byte[MediaLinkProtocol.NonceLength];
            Assert.True(MediaLinkProtocol.TryReadChallenge(ref reader, nonce));
            var entity = "__defaultVhost__/live/secret";
            var hello = new LinkHello(entity, "intruder", MediaLinkProtocol.Prove(System.Text.Encoding.UTF8.GetBytes(secret), nonce, entity, "intruder"));
            var bytes = new byte[MediaLinkProtocol.HelloLength(hello)];
            MediaLinkProtocol.WriteHello(bytes, hello);
            await stream.WriteAsync(bytes);
            var answer = new byte[2];
            await stream.ReadExactlyAsync(answer);
            var expected = secret == ClusterNodes.Secret ? LinkAnswerCode.Streaming : LinkAnswerCode.Denied;
            Assert.Equal(expected, (LinkAnswerCode)answer[0]);
        }
    }
}
