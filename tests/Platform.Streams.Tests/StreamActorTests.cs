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
        ExpectMsg(true);
        session.ExpectMsg<KickClient>();
    }
}
