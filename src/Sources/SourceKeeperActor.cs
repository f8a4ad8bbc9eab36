using Akka.Actor;
using Platform.Sources.Config;
using Platform.Streams.Sources;

namespace Platform.Sources;

/// <summary>
/// One per node: every few seconds it tells the entity of each always-on source to keep it running. Every
/// node does, so the sources survive any node's death: the entity is started again on a node that is left
/// at the next keep-alive, and starts its source there. A node that stops sends none from then on.
/// </summary>
public sealed class SourceKeeperActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    public SourceKeeperActor(Func<SourceCatalog> catalog, Func<IActorRef> region)
    {
        Receive<Tick>(_ =>
        {
            if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null)
            {
                // This node is stopping: a keep-alive now would ask the shard region for an entity it has just
                // handed off, and a region with such a message waiting does not finish its graceful shutdown
                // until it times out. The other nodes' keepers start the source wherever its entity moves.
                Timers.CancelAll();
                return;
            }

            foreach (var spec in catalog().AlwaysOn)
            {
                region().Tell(new KeepSource(spec.Stream));
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<SourceCatalog> catalog, Func<IActorRef> region) => Akka.Actor.Props.Create(() => new SourceKeeperActor(catalog, region));

    protected override void PreStart()
    {
        Self.Tell(Tick.Instance);
        Timers.StartPeriodicTimer("keep", Tick.Instance, Interval);
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
