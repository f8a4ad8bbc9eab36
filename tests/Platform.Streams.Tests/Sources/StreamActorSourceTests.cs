using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Streams.Sources;
using Platform.Streams.Workers;

namespace Platform.Streams.Tests.Sources;

/// <summary>The entity runs its source child when the source is wanted, and only then.</summary>
public class StreamActorSourceTests : TestKit
{
    private static readonly StreamKey Key = new("v", "live", "cam");

    public StreamActorSourceTests() : base("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING")
    {
    }

    /// <summary>A source child that tells the probe it started and stopped; a stop takes <paramref name="stopDelay"/>.</summary>
    private sealed class FakeSource : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly TimeSpan _stopDelay;

        public FakeSource(IActorRef probe, TimeSpan stopDelay)
        {
            _probe = probe;
            _stopDelay = stopDelay;
            Receive<ReportVia>(m => Context.Parent.Tell(m.Report));
            ReceiveAny(m => _probe.Forward(m));
        }

        protected override void PreStart() => _probe.Tell("started");

        protected override void PostStop()
        {
            Thread.Sleep(_stopDelay); // a pull that takes its time to let go
            _probe.Tell("stopped");
        }
    }

    private sealed class Factory(Props props, bool alwaysOn, TimeSpan closeAfter) : IStreamSourceFactory
    {
        public SourceDecision? SourceFor(StreamKey stream) => stream == Key ? new SourceDecision(props, alwaysOn, closeAfter, "rtsp://cam/h264", "ffmpeg") : null;
    }

    private sealed class ShardStandIn : ReceiveActor
    {
        public ShardStandIn(Props child, IActorRef probe)
        {
            var entity = Context.ActorOf(child, "entity");
            Receive<Passivate>(m => probe.Tell(m));
            ReceiveAny(m => entity.Forward(m));
        }
    }

    private IActorRef Entity(IStreamSourceFactory sources, IActorRef parent, TimeSpan? idle = null) =>
        Sys.ActorOf(Props.Create(() => new ShardStandIn(StreamActor.Props(Key, idle ?? TimeSpan.FromMilliseconds(200), null, null, null, null, sources), parent)));

    private static ClientInfo Client(string id, ClientKind kind) => StreamStateTests.Client(id, kind) with { Stream = Key };

    [Fact]
    public void An_on_demand_source_starts_with_a_reader_stops_a_linger_after_it_and_the_entity_then_passivates()
    {
        var source = CreateTestProbe();
        var parent = CreateTestProbe();
        var entity = Entity(new Factory(Props.Create(() => new FakeSource(source, TimeSpan.Zero)), false, TimeSpan.FromMilliseconds(400)), parent);
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var player = CreateTestProbe();
        entity.Tell(new PlayStream(Key, Client("p1", ClientKind.RtmpPlayer), player), TestActor);
        ExpectMsg<PlayAccepted>();
        source.ExpectMsg("started");

        // An engine of this very stream reading it is no reason to keep pulling.
        var engine = Client("e1", ClientKind.RtmpPlayer) with { Internal = new Platform.Streams.Access.InternalOrigin("engine low", []) { WorkerOf = Key } };
        entity.Tell(new PlayStream(Key, engine, CreateTestProbe()), TestActor);
        ExpectMsg<PlayAccepted>();

        entity.Tell(new StopPlaying(Key, "p1"));
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(250)); // the linger
        source.ExpectMsg("stopped", TimeSpan.FromSeconds(2));
        entity.Tell(new StopPlaying(Key, "e1"));
        parent.ExpectMsg<Passivate>(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void A_reader_arriving_while_the_source_stops_starts_it_again()
    {
        var source = CreateTestProbe();
        var parent = CreateTestProbe();
        var entity = Entity(new Factory(Props.Create(() => new FakeSource(source, TimeSpan.FromMilliseconds(500))), false, TimeSpan.FromMilliseconds(100)), parent);
        entity.Tell(new PlayStream(Key, Client("p1", ClientKind.RtmpPlayer), CreateTestProbe()), TestActor);
        ExpectMsg<PlayAccepted>();
        source.ExpectMsg("started");
        entity.Tell(new StopPlaying(Key, "p1"));

        // The stop is under way (it takes 500 ms) when the next reader comes.
        Thread.Sleep(250);
        entity.Tell(new PlayStream(Key, Client("p2", ClientKind.FlvPlayer), CreateTestProbe()), TestActor);
        ExpectMsg<PlayAccepted>();
        source.ExpectMsg("stopped", TimeSpan.FromSeconds(2));
        source.ExpectMsg("started", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void An_always_on_source_runs_on_keep_alives_and_an_operator_stops_and_starts_it()
    {
        var source = CreateTestProbe();
        var parent = CreateTestProbe();
        var entity = Entity(new Factory(Props.Create(() => new FakeSource(source, TimeSpan.Zero)), true, TimeSpan.Zero), parent);
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        entity.Tell(new KeepSource(Key));
        source.ExpectMsg("started");

        entity.Tell(new StopSource(Key), TestActor);
        Assert.True(ExpectMsg<WorkerControlled>().Done);
        source.ExpectMsg("stopped");
        entity.Tell(new KeepSource(Key));
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // held off by the operator
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // and the entity stays to remember it
        entity.Tell(new GetStream(Key), TestActor);
        Assert.Equal("stopped", ExpectMsg<StreamSnapshot>().Source!.State);

        entity.Tell(new StartSource(Key), TestActor);
        Assert.True(ExpectMsg<WorkerControlled>().Done);
        source.ExpectMsg("started");
    }

    [Fact]
    public void Readers_still_waiting_are_told_why_when_the_source_is_unavailable()
    {
        var source = CreateTestProbe();
        var parent = CreateTestProbe();
        var entity = Entity(new Factory(Props.Create(() => new FakeSource(source, TimeSpan.Zero)), false, TimeSpan.FromSeconds(5)), parent);
        var player = CreateTestProbe();
        entity.Tell(new PlayStream(Key, Client("p1", ClientKind.RtmpPlayer), player), TestActor);
        ExpectMsg<PlayAccepted>();
        source.ExpectMsg("started");
        var child = source.LastSender;

        // The report comes from the source child itself.
        entity.Tell(new GetStream(Key), TestActor);
        Assert.Equal("starting", ExpectMsg<StreamSnapshot>().Source!.State);
        child.Tell(new ReportVia(entity, new SourceReport("unavailable", "no media within 10 s: connection refused", 2, "connection refused", null)));
        var kick = player.ExpectMsg<KickClient>();
        Assert.Equal("source unavailable: no media within 10 s: connection refused", kick.Reason);
        entity.Tell(new GetStream(Key), TestActor);
        var status = ExpectMsg<StreamSnapshot>().Source!;
        Assert.Equal(("unavailable", 2, "connection refused"), (status.State, status.Restarts, status.LastError));
    }

    /// <summary>Asks the fake source to send a report to its parent (as the real worker does).</summary>
    private sealed record ReportVia(IActorRef Entity, SourceReport Report);
}
