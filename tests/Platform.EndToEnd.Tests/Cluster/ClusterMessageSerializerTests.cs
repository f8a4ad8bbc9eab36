using Akka.Actor;
using Platform.Api.Nodes;
using Platform.Media.Codecs;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Streams.Workers;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>Every message that crosses nodes goes through <see cref="ClusterMessageSerializer"/> with a stable manifest.</summary>
public sealed class ClusterMessageSerializerTests : IDisposable
{
    private static readonly StreamKey Key = new(StreamKey.DefaultVhost, "live", "s1");
    private static readonly Address Node = Address.Parse("akka.tcp://platform@10.0.0.1:4053");
    private static readonly ClientInfo Client = new("abcd1234", ClientKind.RtmpPublisher, "10.0.0.9", Key, "rtmp://h/live", "page", "swf", "?token=x", new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero))
    {
        BytesSent = 10,
        BytesReceived = 20,
    };

    private static readonly StreamCounters Counters = new(100, 2000, 3000, 500, 600, new VideoCodecInfo("H264", "High", "3.1", 1280, 720), new AudioCodecInfo("AAC", 44100, 2, "LC"));

    private readonly ActorSystem _system = ActorSystem.Create("serializer", "akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING");
    private readonly ClusterMessageSerializer _serializer;
    private readonly IActorRef _actor;

    public ClusterMessageSerializerTests()
    {
        _serializer = new ClusterMessageSerializer((ExtendedActorSystem)_system);
        _actor = _system.ActorOf(Props.Empty, "session");
    }

    public void Dispose() => _system.Dispose();

    private T RoundTrip<T>(T message)
        where T : notnull
    {
        var manifest = _serializer.Manifest(message);
        var bytes = _serializer.ToBinary(message);
        Assert.DoesNotContain("Platform.", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        return Assert.IsType<T>(_serializer.FromBinary(bytes, manifest));
    }

    [Fact]
    public void Stream_control_messages_round_trip()
    {
        var publish = RoundTrip(new PublishStream(Key, Client, _actor, "10.0.0.1:4054"));
        Assert.Equal((Key, Client, "10.0.0.1:4054"), (publish.Stream, publish.Client, publish.MediaEndpoint));
        Assert.Equal(20, publish.Client.BytesReceived);
        Assert.Equal(_actor, publish.Session);

        var report = RoundTrip(new ReportStreamStats(Key, Client, _actor, "10.0.0.1:4054", Counters));
        Assert.Equal(Counters, report.Counters);
        Assert.Equal(_actor, report.Session);

        Assert.Equal(new PublisherLocation(Key, Node, "10.0.0.1:4054", "abcd1234"), RoundTrip(new PublisherLocation(Key, Node, "10.0.0.1:4054", "abcd1234")));
        Assert.Equal(new PublisherLocation(Key, null, null, null), RoundTrip(new PublisherLocation(Key, null, null, null)));
        Assert.Equal(_actor, RoundTrip(new WatchPublisher(Key, _actor)).Watcher);
        Assert.Equal(new PlayAccepted(Key, true, Node), RoundTrip(new PlayAccepted(Key, true, Node)));
        Assert.Equal(new PublishAccepted(Key, Node), RoundTrip(new PublishAccepted(Key, Node)));
        Assert.Equal(new PublishRejected(Key, "busy"), RoundTrip(new PublishRejected(Key, "busy")));
        Assert.Equal(new StopPlaying(Key, "id"), RoundTrip(new StopPlaying(Key, "id")));
        Assert.Equal(new StartWorker(Key, "dvr"), RoundTrip(new StartWorker(Key, "dvr")));
        Assert.Equal(new WorkerControlled(true, "ok"), RoundTrip(new WorkerControlled(true, "ok")));
        Assert.Equal(new KickClient("kicked"), RoundTrip(new KickClient("kicked")));

        var snapshot = new StreamSnapshot(Key, Client, Node, [Client with { Id = "reader01", Kind = ClientKind.FlvPlayer }], Client.ConnectedAt, Counters)
        {
            Workers = [new WorkerStatus("hls", true, "rule")],
            EntityNode = "akka.tcp://platform@10.0.0.3:4053",
            WorkerHttp = "10.0.0.3:8080",
        };
        var read = RoundTrip(snapshot);
        Assert.Equal(snapshot.Readers.Single(), read.Readers.Single());
        Assert.Equal(snapshot.Workers.Single(), read.Workers.Single());
        Assert.Equal((snapshot.EntityNode, snapshot.WorkerHttp, snapshot.PublisherNode), (read.EntityNode, read.WorkerHttp, read.PublisherNode));
    }

    [Fact]
    public void Cluster_api_messages_round_trip()
    {
        var seen = new DateTimeOffset(2026, 12, 3, 10, 0, 5, TimeSpan.Zero);
        var clients = RoundTrip(new NodeClients("n1", [new ClientView(Client, 1, 2) { LastActive = seen }]));
        Assert.Equal(new ClientView(Client, 1, 2) { LastActive = seen }, clients.Clients.Single());
        RoundTrip(new DrainNode("asked"));
        Assert.Equal("n1", RoundTrip(new NodeDraining("n1")).Node);
        Assert.Equal(new SecretProof("n", "p"), RoundTrip(new SecretProof("n", "p")));
        RoundTrip(new SecretChallenge("n"));
        Assert.Equal(new NodeKickResult("n1", Client, true), RoundTrip(new NodeKickResult("n1", Client, true)));
        var summary = RoundTrip(new NodeSummary("n1", "{\"ok\":true}", 3) { Hubs = 4, Links = 5, Entities = 6 });
        Assert.Equal((4, 5, 6), (summary.Hubs, summary.Links, summary.Entities));
        Assert.Equal(["a/b/c"], RoundTrip(new NodeEntities("n1", ["a/b/c"])).EntityIds);
        RoundTrip(ListNodeClients.Instance);
        RoundTrip(new KickNodeClient("id", "why"));
    }

    [Fact]
    public void Manifests_are_short_stable_and_cover_every_stream_command()
    {
        Assert.Equal("ps", _serializer.Manifest(new PublishStream(Key, Client, _actor)));
        Assert.Equal("loc", _serializer.Manifest(new PublisherLocation(Key, null, null, null)));
        Assert.Equal("snap", _serializer.Manifest(new StreamSnapshot(Key, null, null, [], Client.ConnectedAt, Counters)));

        // A message for an entity that the serializer does not know would silently fall back to another serializer.
        var commands = typeof(IStreamCommand).Assembly.GetTypes().Where(t => typeof(IStreamCommand).IsAssignableFrom(t) && !t.IsInterface);
        Assert.All(commands, t => Assert.Contains(t, ClusterMessageSerializer.BoundTypes));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary([], "no-such-manifest"));
    }

    [Fact]
    public void A_viewer_listed_by_two_nodes_is_counted_once_where_it_asked_last()
    {
        var hls = Client with { Id = "hls00001", Kind = ClientKind.HlsPlayer };
        var earlier = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var listed = ClientViews.OnePerClient(
        [
            (new ClientView(hls, 10, 0) { LastActive = earlier }, "old-node"),
            (new ClientView(hls, 5, 0) { LastActive = earlier.AddSeconds(3) }, "new-node"),
            (new ClientView(Client, 1, 2), "n1"),
        ]).ToList();

        Assert.Equal(2, listed.Count);
        Assert.Equal("new-node", listed.Single(c => c.View.Info.Id == "hls00001").Node);
        Assert.Equal("n1", listed.Single(c => c.View.Info.Id == Client.Id).Node);
    }
}
