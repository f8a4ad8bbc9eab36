using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using Platform.Streams.Clients;
using Platform.Streams.Entity;

namespace Platform.Streams.Tests;

public class StreamActorTests : TestKit
{
    private static readonly StreamKey Key = new("v", "live", "s1");

    public StreamActorTests() : base("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING")
    {
    }

    /// <summary>Stands in for the shard: creates the entity and forwards what it says to its parent.</summary>
    private sealed class ShardStandIn : ReceiveActor
    {
        public ShardStandIn(Props child, IActorRef probe)
        {
            var entity = Context.ActorOf(child, "entity");
            Receive<Passivate>(m => probe.Tell(m));
            ReceiveAny(m => entity.Forward(m));
        }
    }

    private IActorRef Entity(TimeSpan idle, IActorRef probe) =>
        Sys.ActorOf(Props.Create(() => new ShardStandIn(StreamActor.Props(Key, idle, null), probe)));

    private static ClientInfo Client(string id, ClientKind kind) => StreamStateTests.Client(id, kind) with { Stream = Key };

    [Fact]
    public void Second_publisher_is_rejected_and_the_first_keeps_the_stream()
    {
        var parent = CreateTestProbe();
        var entity = Entity(TimeSpan.FromMinutes(1), parent);
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        entity.Tell(new PublishStream(Key, Client("a", ClientKind.RtmpPublisher), first), TestActor);
        ExpectMsg<PublishAccepted>();
        entity.Tell(new PublishStream(Key, Client("b", ClientKind.RtmpPublisher), second), TestActor);
        var rejected = ExpectMsg<PublishRejected>();
        Assert.Contains("client a", rejected.Reason, StringComparison.Ordinal);

        entity.Tell(new GetStream(Key), TestActor);
        Assert.Equal("a", ExpectMsg<StreamSnapshot>().Publisher!.Id);
    }

    [Fact]
    public void A_publisher_whose_session_dies_is_removed()
    {
        var parent = CreateTestProbe();
        var entity = Entity(TimeSpan.FromMinutes(1), parent);
        var session = CreateTestProbe();
        entity.Tell(new PublishStream(Key, Client("a", ClientKind.RtmpPublisher), session), TestActor);
        ExpectMsg<PublishAccepted>();

        Sys.Stop(session);
        AwaitAssert(() =>
        {
            entity.Tell(new GetStream(Key), TestActor);
            Assert.Null(ExpectMsg<StreamSnapshot>().Publisher);
        });

        entity.Tell(new PublishStream(Key, Client("b", ClientKind.RtmpPublisher), CreateTestProbe()), TestActor);
        ExpectMsg<PublishAccepted>();
    }

    [Fact]
    public void Passivates_after_idle_timeout_once_everyone_left()
    {
        var parent = CreateTestProbe();
        var entity = Entity(TimeSpan.FromMilliseconds(300), parent);
        var player = CreateTestProbe();
        entity.Tell(new PlayStream(Key, Client("p", ClientKind.RtmpPlayer), player), TestActor);
        var accepted = ExpectMsg<PlayAccepted>();
        Assert.False(accepted.Live);

        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        entity.Tell(new StopPlaying(Key, "p"), TestActor);
        parent.ExpectMsg<Passivate>(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Operator_stop_kicks_the_publisher_session()
    {
        var parent = CreateTestProbe();
        var entity = Entity(TimeSpan.FromMinutes(1), parent);
        var session = CreateTestProbe();
        entity.Tell(new PublishStream(Key, Client("a", ClientKind.RtmpPublisher), session), TestActor);
        ExpectMsg<PublishAccepted>();

        entity.Tell(new StopPublisher(Key), TestActor);
        Assert.True(ExpectMsg<Platform.Streams.Workers.WorkerControlled>().Done);
        session.ExpectMsg<KickClient>();
    }

    [Fact]
    public void Watchers_learn_where_the_stream_is_published_and_when_it_ends()
    {
        var entity = Entity(TimeSpan.FromMinutes(1), CreateTestProbe());
        var links = CreateTestProbe();
        entity.Tell(new WatchPublisher(Key, links), TestActor);
        var first = ExpectMsg<PublisherLocation>();
        Assert.Null(first.Node);
        Assert.Null(first.MediaEndpoint);

        var session = CreateTestProbe();
        entity.Tell(new PublishStream(Key, Client("a", ClientKind.RtmpPublisher), session, "10.0.0.1:4054"), TestActor);
        ExpectMsg<PublishAccepted>();
        var published = links.ExpectMsg<PublisherLocation>();
        Assert.Equal("10.0.0.1:4054", published.MediaEndpoint);
        Assert.Equal("a", published.PublisherId);
        Assert.NotNull(published.Node);

        entity.Tell(new UnpublishStream(Key, "a"), TestActor);
        var ended = links.ExpectMsg<PublisherLocation>();
        Assert.Null(ended.MediaEndpoint);
        Assert.Null(ended.PublisherId);

        entity.Tell(new UnwatchPublisher(Key, links), TestActor);
        entity.Tell(new PublishStream(Key, Client("b", ClientKind.RtmpPublisher), session, "10.0.0.2:4054"), TestActor);
        ExpectMsg<PublishAccepted>();
        links.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_report_gives_a_restarted_entity_its_publisher_back()
    {
        var entity = Entity(TimeSpan.FromMinutes(1), CreateTestProbe());
        var session = CreateTestProbe();
        var counters = StreamState.Empty with { Frames = 42 };
        entity.Tell(new ReportStreamStats(Key, Client("a", ClientKind.RtmpPublisher), session, "10.0.0.1:4054", counters), TestActor);
        entity.Tell(new GetStream(Key), TestActor);
        var snapshot = ExpectMsg<StreamSnapshot>();
        Assert.Equal("a", snapshot.Publisher!.Id);
        Assert.Equal(42, snapshot.Counters.Frames);

        // Registered for real: a second publisher is refused, and the session's end is seen.
        entity.Tell(new PublishStream(Key, Client("b", ClientKind.RtmpPublisher), CreateTestProbe()), TestActor);
        ExpectMsg<PublishRejected>();
        Sys.Stop(session);
        AwaitAssert(() =>
        {
            entity.Tell(new GetStream(Key), TestActor);
            Assert.Null(ExpectMsg<StreamSnapshot>().Publisher);
        });
    }

    [Fact]
    public void A_report_from_a_publisher_that_lost_the_stream_stops_it()
    {
        var entity = Entity(TimeSpan.FromMinutes(1), CreateTestProbe());
        entity.Tell(new PublishStream(Key, Client("a", ClientKind.RtmpPublisher), CreateTestProbe()), TestActor);
        ExpectMsg<PublishAccepted>();
        var stale = CreateTestProbe();
        entity.Tell(new ReportStreamStats(Key, Client("old", ClientKind.RtmpPublisher), stale, null, StreamState.Empty), TestActor);
        stale.ExpectMsg<KickClient>();
        entity.Tell(new GetStream(Key), TestActor);
        Assert.Equal("a", ExpectMsg<StreamSnapshot>().Publisher!.Id);
    }
}
