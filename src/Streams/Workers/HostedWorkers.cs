using Akka.Actor;
using Akka.Cluster.Sharding;
using Platform.Streams.Access;

namespace Platform.Streams.Workers;

/// <summary>
/// Which cluster role each kind of worker runs on (configuration section <c>Placement</c>): engines on
/// <c>transcode</c> nodes, recordings on <c>recorder</c> nodes, for example. Empty: with the stream's entity.
/// </summary>
public sealed class PlacementOptions
{
    /// <summary>Role of the nodes that run transcode engines (<c>engine-*</c> workers).</summary>
    public string Engines { get; set; } = string.Empty;

    /// <summary>Role of the nodes that run recordings (<c>dvr</c>).</summary>
    public string Dvr { get; set; } = string.Empty;

    /// <summary>Role of the nodes that run forwards (<c>forward-*</c>).</summary>
    public string Forward { get; set; } = string.Empty;

    /// <summary>The role a worker must run on, or null when it runs with its stream's entity.</summary>
    public string? RoleOf(string worker)
    {
        var role = worker switch
        {
            "dvr" => Dvr,
            _ when worker.StartsWith("engine-", StringComparison.Ordinal) => Engines,
            _ when worker.StartsWith("forward-", StringComparison.Ordinal) => Forward,
            _ => string.Empty,
        };
        return string.IsNullOrWhiteSpace(role) ? null : role.Trim();
    }

    public IReadOnlyList<string> Roles => new[] { Engines, Dvr, Forward }.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>The placement a stream entity applies: the roles, and the shard region of worker hosts per role.</summary>
public sealed class WorkerPlacement(PlacementOptions options, IReadOnlyDictionary<string, IActorRef> regions)
{
    public static readonly WorkerPlacement None = new(new PlacementOptions(), new Dictionary<string, IActorRef>());

    public PlacementOptions Options { get; } = options;

    public string? RoleOf(string worker) => Options.RoleOf(worker);

    public IActorRef? RegionOf(string role) => regions.GetValueOrDefault(role);

    /// <summary>Name of the shard region of worker hosts on nodes with <paramref name="role"/>.</summary>
    public static string RegionName(string role) => "workers-" + role;
}

/// <summary>Every message to a worker host names its worker; the shard extractor reads it.</summary>
public interface IHostedWorkerCommand
{
    StreamKey Stream { get; }

    string Name { get; }
}

/// <summary>
/// Run (or keep running) worker <paramref name="Name"/> of a stream on a node with the region's role; sent
/// every <see cref="HostedWorkerHandle.KeepAliveInterval"/> by the entity's handle, so that a worker whose
/// node died is started again on another node with the role, and one whose entity is gone stops.
/// </summary>
public sealed record RunHostedWorker(StreamKey Stream, string Name, IReadOnlyList<LineageStep> Lineage, bool OnDemand, bool Publishing, IActorRef Owner) : IHostedWorkerCommand;

public sealed record StopHostedWorker(StreamKey Stream, string Name) : IHostedWorkerCommand;

/// <summary>The stream's publisher came or went (<see cref="PublisherChanged"/> for a hosted worker).</summary>
public sealed record HostedWorkerSignal(StreamKey Stream, string Name, bool Publishing) : IHostedWorkerCommand;

/// <summary>An operator starts a hosted worker that gave up again; the answer goes to <paramref name="ReplyTo"/>.</summary>
public sealed record RestartHostedWorker(StreamKey Stream, string Name, IActorRef ReplyTo) : IHostedWorkerCommand;

/// <summary>The hosted worker stopped (its source ended, or it could not be made): its handle stops too.</summary>
public sealed record HostedWorkerStopped(StreamKey Stream, string Name, string Reason);

public sealed class HostedWorkerExtractor : HashCodeMessageExtractor
{
    public HostedWorkerExtractor()
        : base(50)
    {
    }

    public override string? EntityId(object message) =>
        message is IHostedWorkerCommand command ? $"{command.Stream.EntityId}|{command.Name}" : null;
}

/// <summary>
/// A worker of a stream that runs on another node: the entity's child stands in for it, so the entity
/// treats it like a local worker (starts, stops, watches it, reads its reports). It asks the worker
/// hosts' region to run the worker, again every few seconds, passes the publisher's changes on, and
/// stops the worker when it stops itself.
/// </summary>
public sealed class HostedWorkerHandle : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(2);
    private readonly StreamKey _stream;
    private readonly string _name;
    private readonly IReadOnlyList<LineageStep> _lineage;
    private readonly bool _onDemand;
    private readonly IActorRef _region;
    private bool _publishing = true;

    public HostedWorkerHandle(StreamKey stream, string name, IReadOnlyList<LineageStep> lineage, bool onDemand, IActorRef region)
    {
        _stream = stream;
        _name = name;
        _lineage = lineage;
        _onDemand = onDemand;
        _region = region;
        Receive<KeepAlive>(_ => Run());
        Receive<WorkerReport>(m => Context.Parent.Tell(m with { Name = _name }));
        Receive<PublisherChanged>(m =>
        {
            _publishing = m.Publishing;
            _region.Tell(new HostedWorkerSignal(_stream, _name, m.Publishing));
        });
        Receive<StartWorker>(_ => _region.Tell(new RestartHostedWorker(_stream, _name, Sender)));
        Receive<HostedWorkerStopped>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StreamKey stream, string name, IReadOnlyList<LineageStep> lineage, bool onDemand, IActorRef region) =>
        Akka.Actor.Props.Create(() => new HostedWorkerHandle(stream, name, lineage, onDemand, region));

    protected override void PreStart()
    {
        Run();
        Timers.StartPeriodicTimer("keep-alive", KeepAlive.Instance, KeepAliveInterval);
    }

    protected override void PostStop() => _region.Tell(new StopHostedWorker(_stream, _name));

    private void Run() => _region.Tell(new RunHostedWorker(_stream, _name, _lineage, _onDemand, _publishing, Self));

    private sealed class KeepAlive
    {
        public static readonly KeepAlive Instance = new();
    }
}

/// <summary>
/// A worker host, a sharding entity on a node with the role: it runs one worker of one stream as its
/// child, made by this node's worker factory, for as long as the stream's handle keeps asking. Reports
/// go back to the handle; when the worker stops, the handle is told.
/// </summary>
public sealed class WorkerHostActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan OwnerTimeout = TimeSpan.FromSeconds(10);
    private readonly IStreamWorkerFactory _factory;
    private IActorRef? _worker;
    private IActorRef? _owner;
    private RunHostedWorker? _run;
    private DateTime _lastAsked;

    public WorkerHostActor(IStreamWorkerFactory factory)
    {
        _factory = factory;
        Receive<RunHostedWorker>(OnRun);
        Receive<HostedWorkerSignal>(m => _worker?.Tell(new PublisherChanged(m.Publishing)));
        Receive<RestartHostedWorker>(m =>
        {
            if (_worker is null)
            {
                m.ReplyTo.Tell(new WorkerControlled(false, $"{m.Name} is not running"));
                return;
            }

            _worker.Tell(new StartWorker(m.Stream, m.Name), m.ReplyTo);
        });
        Receive<StopHostedWorker>(_ => Context.Stop(Self));
        Receive<WorkerReport>(m => _owner?.Tell(m));
        Receive<Terminated>(m =>
        {
            if (m.ActorRef.Equals(_worker))
            {
                _worker = null;
                _owner?.Tell(new HostedWorkerStopped(_run!.Stream, _run.Name, "stopped"));
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            }
        });
        Receive<CheckOwner>(_ =>
        {
            if (DateTime.UtcNow - _lastAsked > OwnerTimeout)
            {
                // The stream's entity stopped asking (its node died and its new home has not asked yet, or it is gone).
                Context.Stop(Self);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IStreamWorkerFactory factory) => Akka.Actor.Props.Create(() => new WorkerHostActor(factory));

    private void OnRun(RunHostedWorker m)
    {
        _lastAsked = DateTime.UtcNow;
        _owner = m.Owner;
        if (_worker is not null || _run is not null)
        {
            return;
        }

        _run = m;
        var decision = m.OnDemand
            ? _factory.OnDemand(m.Stream, m.Lineage, m.Name)
            : _factory.WorkersFor(m.Stream, m.Lineage).FirstOrDefault(d => d.Name == m.Name);
        if (decision?.Props is null)
        {
            m.Owner.Tell(new HostedWorkerStopped(m.Stream, m.Name, decision?.Reason ?? $"no worker {m.Name} for {m.Stream}"));
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            return;
        }

        _worker = Context.ActorOf(decision.Props, m.Name);
        Context.Watch(_worker);
        if (!m.Publishing)
        {
            _worker.Tell(new PublisherChanged(false));
        }

        Timers.StartPeriodicTimer("owner", CheckOwner.Instance, OwnerTimeout / 2);
    }

    private sealed class CheckOwner
    {
        public static readonly CheckOwner Instance = new();
    }
}
