using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Platform.Api.Hosting;

/// <summary>
/// On an edge: follows the cluster's membership and tells <see cref="Readiness"/> whether any origin (a node
/// that hosts stream entities) is up and reachable; an edge with none left says so in <c>/ready</c> and once
/// in the log, rather than half-working.
/// </summary>
public sealed class OriginWatch : ReceiveActor
{
    private readonly Readiness _readiness;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool? _available;

    public OriginWatch(Readiness readiness)
    {
        _readiness = readiness;
        Receive<ClusterEvent.IClusterDomainEvent>(_ => Check());
        Receive<ClusterEvent.CurrentClusterState>(_ => Check());
    }

    public static Props Props(Readiness readiness) => Akka.Actor.Props.Create(() => new OriginWatch(readiness));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Check()
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        var origins = state.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(ClusterNodeOptions.OriginRole) && !state.Unreachable.Contains(m));
        var available = origins > 0;
        if (_available == available)
        {
            return;
        }

        _available = available;
        _readiness.OriginsAvailable(available);
        if (available)
        {
            _log.Info("edge: {0} origin(s) up, streams can be served", origins);
        }
        else
        {
            _log.Warning("edge: no origin is up in the cluster: this node cannot serve streams until one is (not ready)");
        }
    }
}
