using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Platform.Streams.Clients;
using Platform.Streams.Sources;
using Platform.Streams.Workers;

namespace Platform.Streams.Entity;

/// <summary>
/// One live stream, a Cluster Sharding entity with id <c>vhost/app/stream</c>. It decides who publishes
/// and who reads, watches their sessions, keeps the stream's reported counters, and passivates itself when
/// nobody has used it for the idle timeout, so the stream's memory is always reclaimed. Frames never pass
/// through it: they flow in the publisher node's hub.
/// </summary>
public sealed class StreamActor : ReceiveActor, IWithTimers
{
    private const string IdleTimer = "idle";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StreamState _state;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly Dictionary<IActorRef, string> _sessions = [];
    private readonly IStreamWorkerFactory _workers;
    private readonly Dictionary<IActorRef, string> _workerRefs = [];
    private readonly HashSet<IActorRef> _watchers = [];
    private readonly Dictionary<string, WorkerReport> _reports = [];
    private IReadOnlyList<WorkerDecision>? _workerPlan;
    private readonly string? _httpEndpoint;
    private readonly WorkerPlacement _placement;
    private IActorRef? _publisherSession;
    private readonly IStreamSourceFactory _sources;
    private SourceDecision? _sourceDecision;
    private SourceDemand? _demand;
    private IActorRef? _source;
    private bool _sourceStopping;
    private SourceReport? _sourceReport;
    private DateTimeOffset _sourceSince;

    public StreamActor(StreamKey key, TimeSpan idleTimeout, TimeProvider time, IStreamWorkerFactory? workers = null, string? httpEndpoint = null, WorkerPlacement? placement = null, IStreamSourceFactory? sources = null)
    {
        _sources = sources ?? NoSources.Instance;
        _placement = placement ?? WorkerPlacement.None;
        _httpEndpoint = httpEndpoint;
        _idleTimeout = idleTimeout;
        _time = time;
        _workers = workers ?? NoWorkers.Instance;
        _state = new StreamState(key, time.GetUtcNow());

        Receive<PublishStream>(OnPublish);
        Receive<UnpublishStream>(m => ClientLeft(m.ClientId));
        Receive<PlayStream>(OnPlay);
        Receive<StopPlaying>(m => ClientLeft(m.ClientId));
        Receive<ReportStreamStats>(OnReport);
        Receive<WatchPublisher>(m =>
        {
            if (_watchers.Add(m.Watcher))
            {
                Context.Watch(m.Watcher);
            }

            Sender.Tell(Location());
        });
        Receive<UnwatchPublisher>(m =>
        {
            if (_watchers.Remove(m.Watcher))
            {
                Context.Unwatch(m.Watcher);
            }
        });
        Receive<GetStream>(_ => Sender.Tell(_state.Snapshot() with
        {
            Workers = WorkerStatuses(),
            EntityNode = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(),
            WorkerHttp = _httpEndpoint,
            Source = SourceStatusNow(),
        }));
        Receive<StopPublisher>(_ => OnStopPublisher());
        Receive<Terminated>(m =>
        {
            if (_sessions.TryGetValue(m.ActorRef, out var clientId))
            {
                ClientLeft(clientId);
            }
            else if (m.ActorRef.Equals(_source))
            {
                SourceStopped();
            }
            else if (_watchers.Remove(m.ActorRef))
            {
                // A node's media links are gone (the node left or died).
            }
            else if (_workerRefs.Remove(m.ActorRef, out var worker))
            {
                _log.Info("stream {0}: worker {1} stopped", _state.Key, worker);
                _reports.Remove(worker);
                if (_state.Publisher is not null && _workerPlan?.Any(d => d.Name == worker && d.Runs) == true)
                {
                    // It stopped as the publisher left and a publisher is back already: it runs for this one.
                    StartWorkers();
                }

                if (_state.IsIdle && _workerRefs.Count == 0)
                {
                    ScheduleIdleCheck();
                }
            }
        });
        Receive<IdleCheck>(_ => OnIdleCheck());
        Receive<StartWorker>(OnStartWorker);
        Receive<WorkerReport>(m =>
        {
            if (_workerRefs.ContainsKey(Sender))
            {
                _reports[m.Name] = m;
            }
        });
        Receive<StopWorker>(OnStopWorker);
        Receive<KeepSource>(_ =>
        {
            if (ResolveSource() is { AlwaysOn: true })
            {
                _demand!.Kept(_time.GetUtcNow());
                ReconcileSource();
            }
        });
        Receive<StartSource>(_ => ControlSource(SourceOverride.Started));
        Receive<StopSource>(_ => ControlSource(SourceOverride.Stopped));
        Receive<SourceReport>(m =>
        {
            if (Sender.Equals(_source))
            {
                OnSourceReport(m);
            }
        });
        Receive<SourceCheck>(_ => ReconcileSource());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="httpEndpoint">This node's media HTTP endpoint, where the stream's HLS files are served from.</param>
    public static Props Props(StreamKey key, TimeSpan idleTimeout, TimeProvider? time = null, IStreamWorkerFactory? workers = null, string? httpEndpoint = null, WorkerPlacement? placement = null, IStreamSourceFactory? sources = null) =>
        Akka.Actor.Props.Create(() => new StreamActor(key, idleTimeout, time ?? TimeProvider.System, workers, httpEndpoint, placement, sources));

    protected override void PreStart()
    {
        ScheduleIdleCheck();
        ResolveSource();
    }

    private void OnPublish(PublishStream m)
    {
        var decision = _state.DecidePublish(m.Client, IsReachable(_state.PublisherNode));
        if (decision == PublishDecision.RejectBusy)
        {
            _log.Info("stream {0}: publish by client {1} refused, client {2} is publishing", _state.Key, m.Client.Id, _state.Publisher!.Id);
            Sender.Tell(new PublishRejected(m.Stream, $"stream is already being published by client {_state.Publisher.Id}"));
            return;
        }

        if (decision == PublishDecision.TakeOver)
        {
            _log.Warning("stream {0}: client {1} takes the stream over from client {2}, whose node {3} is unreachable", _state.Key, m.Client.Id, _state.Publisher!.Id, _state.PublisherNode!);
            _publisherSession?.Tell(new KickClient("stream taken over by a publisher on another node"));
            ClientLeft(_state.Publisher.Id);
        }

        var node = NodeOf(m.Session);
        Publish(m.Client, m.Session, node, m.MediaEndpoint);
        var workers = string.Join("; ", WorkerStatuses().Select(w => $"{w.Name} {(w.Running ? "runs" : "does not run")} ({w.Reason})"));
        Sender.Tell(new PublishAccepted(m.Stream, node, workers.Length > 0 ? workers : "no workers"));
    }

    private void Publish(ClientInfo client, IActorRef session, Address node, string? endpoint)
    {
        _state.Published(client, node, _time.GetUtcNow(), endpoint);
        _publisherSession = session;
        Track(session, client.Id);
        Timers.Cancel(IdleTimer);
        _log.Info("stream {0}: published by client {1} from {2} on {3}", _state.Key, client.Id, client.Ip, node);
        TellWatchers();
        StartWorkers();
    }

    /// <summary>
    /// A publisher's periodic report. An entity that has no publisher takes it as the publish itself (the
    /// entity was started again on another node after its node died); one that has another publisher tells
    /// the reporting session to stop (the stream was taken over while that node was unreachable).
    /// </summary>
    private void OnReport(ReportStreamStats m)
    {
        if (_state.Publisher is null)
        {
            var node = NodeOf(m.Session);
            _log.Info("stream {0}: publisher {1} registered again from its report", _state.Key, m.PublisherId);
            Publish(m.Publisher, m.Session, node, m.MediaEndpoint);
            if (_state.Readers.Count == 0)
            {
                // Likely started anew after the previous entity's node died: players on every node register again.
                var cluster = Akka.Cluster.Cluster.Get(Context.System);
                foreach (var member in cluster.State.Members.Where(x => x.Status == Akka.Cluster.MemberStatus.Up))
                {
                    Context.ActorSelection(member.Address + RegisterReadersAgain.NodeActorPath).Tell(new RegisterReadersAgain(_state.Key));
                }
            }
        }
        else if (_state.Publisher.Id != m.PublisherId)
        {
            m.Session.Tell(new KickClient("stream taken over by another publisher"));
            return;
        }

        _state.Reported(m.PublisherId, m.Counters);
    }

    /// <summary>The node a session runs on (a local actor's path has no address of its own).</summary>
    private Address NodeOf(IActorRef session) =>
        session.Path.Address.HasGlobalScope ? session.Path.Address : Akka.Cluster.Cluster.Get(Context.System).SelfAddress;

    private PublisherLocation Location() =>
        new(_state.Key, _state.PublisherNode, _state.PublisherEndpoint, _state.Publisher?.Id);

    private void TellWatchers()
    {
        var location = Location();
        foreach (var watcher in _watchers)
        {
            watcher.Tell(location);
        }
    }

    private bool IsReachable(Address? node)
    {
        if (node is null)
        {
            return true;
        }

        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        return !cluster.State.Unreachable.Any(m => m.Address == node);
    }

    private void OnPlay(PlayStream m)
    {
        _state.ReaderJoined(m.Client, _time.GetUtcNow());
        Track(m.Session, m.Client.Id);
        Timers.Cancel(IdleTimer);
        Sender.Tell(new PlayAccepted(m.Stream, _state.Publisher is not null, _state.PublisherNode));
        ReadersChanged();
    }

    private void OnStopPublisher()
    {
        if (_publisherSession is null)
        {
            Sender.Tell(new WorkerControlled(false, "stream is not being published"));
            return;
        }

        _publisherSession.Tell(new KickClient("stopped by operator"));
        Sender.Tell(new WorkerControlled(true, "publisher told to stop"));
    }

    private void ClientLeft(string clientId)
    {
        var now = _time.GetUtcNow();
        if (_state.Unpublished(clientId, now))
        {
            _log.Info("stream {0}: client {1} stopped publishing", _state.Key, clientId);
            _publisherSession = null;
            TellWatchers();
            ReconcileSource();
            foreach (var worker in _workerRefs.Keys)
            {
                worker.Tell(new PublisherChanged(false));
            }
        }
        else if (_state.ReaderLeft(clientId, now))
        {
            ReadersChanged();
        }

        foreach (var (session, id) in _sessions)
        {
            if (id == clientId)
            {
                Context.Unwatch(session);
                _sessions.Remove(session);
                break;
            }
        }

        if (_state.IsIdle)
        {
            ScheduleIdleCheck();
        }
    }

    /// <summary>
    /// Starts the stream's workers on its first publish (the plan is decided once and logged, with the
    /// reason for each worker that does not run); on a later publish, running workers are told.
    /// </summary>
    private void StartWorkers()
    {
        if (_workerPlan is null)
        {
            _workerPlan = _workers.WorkersFor(_state.Key, Lineage());
            foreach (var decision in _workerPlan)
            {
                _log.Info("stream {0}: {1} {2}: {3}", _state.Key, decision.Name, decision.Runs ? "runs" : "does not run", decision.Reason);
            }
        }

        foreach (var worker in _workerRefs.Keys)
        {
            worker.Tell(new PublisherChanged(true));
        }

        foreach (var decision in _workerPlan)
        {
            if (decision.Props is not null && !_workerRefs.ContainsValue(decision.Name))
            {
                var worker = Context.ActorOf(PlacedProps(decision, onDemand: false), decision.Name);
                Context.Watch(worker);
                _workerRefs[worker] = decision.Name;
            }
        }
    }

    private void OnStartWorker(StartWorker m)
    {
        if (_state.Publisher is null)
        {
            Sender.Tell(new WorkerControlled(false, "stream is not being published"));
            return;
        }

        if (_workerRefs.ContainsValue(m.Name))
        {
            if (_reports.TryGetValue(m.Name, out var report) && report.State is "failed" or "off")
            {
                // A worker that gave up is started over by its own actor (it keeps its name).
                _workerRefs.First(w => w.Value == m.Name).Key.Forward(m);
                return;
            }

            Sender.Tell(new WorkerControlled(false, $"{m.Name} is already running"));
            return;
        }

        var decision = _workers.OnDemand(_state.Key, Lineage(), m.Name);
        if (decision.Props is null)
        {
            Sender.Tell(new WorkerControlled(false, decision.Reason));
            return;
        }

        var worker = Context.ActorOf(PlacedProps(decision, onDemand: true), m.Name);
        Context.Watch(worker);
        _workerRefs[worker] = m.Name;
        _log.Info("stream {0}: {1} started by operator: {2}", _state.Key, m.Name, decision.Reason);
        Sender.Tell(new WorkerControlled(true, decision.Reason));
    }

    private void OnStopWorker(StopWorker m)
    {
        foreach (var (worker, name) in _workerRefs)
        {
            if (name == m.Name)
            {
                // Forget it now: a second stop before Terminated arrives must see it gone.
                _workerRefs.Remove(worker);
                _reports.Remove(name);
                Context.Stop(worker);
                _log.Info("stream {0}: {1} stopped by operator", _state.Key, m.Name);
                Sender.Tell(new WorkerControlled(true, $"{m.Name} stopped"));
                return;
            }
        }

        Sender.Tell(new WorkerControlled(false, $"{m.Name} is not running"));
    }

    /// <summary>
    /// The worker itself when it may run here, or a handle that has it run on a node with its role (the
    /// placement binds engines, recordings or forwards to roles this node may not have).
    /// </summary>
    private Props PlacedProps(WorkerDecision decision, bool onDemand)
    {
        var role = _placement.RoleOf(decision.Name);
        if (role is null || Akka.Cluster.Cluster.Get(Context.System).SelfRoles.Contains(role) || _placement.RegionOf(role) is not { } region)
        {
            return decision.Props!;
        }

        return HostedWorkerHandle.Props(_state.Key, decision.Name, Lineage(), onDemand, region);
    }

    /// <summary>How the stream was made: the publisher's descent when it is one of the platform's engines.</summary>
    private IReadOnlyList<Access.LineageStep> Lineage() => _state.Publisher?.Internal?.Lineage ?? [];

    private IReadOnlyList<WorkerStatus> WorkerStatuses()
    {
        var list = new List<WorkerStatus>();
        foreach (var status in BasicStatuses())
        {
            list.Add(_reports.TryGetValue(status.Name, out var report) && status.Running
                ? status with { Running = report.State is not ("failed" or "stopped" or "off"), Reason = report.Reason, State = report.State, Output = report.Output, Restarts = report.Restarts, Log = report.Log }
                : status);
        }

        return list;
    }

    private List<WorkerStatus> BasicStatuses()
    {
        var list = new List<WorkerStatus>();
        foreach (var decision in _workerPlan ?? [])
        {
            var running = _workerRefs.ContainsValue(decision.Name);

            // A worker its rule leaves off but an operator started: the rule's reason would contradict the state.
            list.Add(new WorkerStatus(decision.Name, running, running && decision.Props is null ? "started by operator" : decision.Reason));
        }

        foreach (var name in _workerRefs.Values)
        {
            if (!list.Exists(w => w.Name == name))
            {
                list.Add(new WorkerStatus(name, true, "started by operator"));
            }
        }

        return list;
    }

    private void Track(IActorRef session, string clientId)
    {
        if (_sessions.TryAdd(session, clientId))
        {
            Context.Watch(session);
        }
    }

    /// <summary>The stream's source as configured (asked again while it has none: the settings may have changed).</summary>
    private SourceDecision? ResolveSource()
    {
        if (_sourceDecision is null && _sources.SourceFor(_state.Key) is { } decision)
        {
            _sourceDecision = decision;
            _demand = new SourceDemand(decision.AlwaysOn, decision.CloseAfter);
            _demand.ReadersChanged(Demand(), _time.GetUtcNow());
            _sourceSince = _time.GetUtcNow();
        }

        return _sourceDecision;
    }

    /// <summary>Readers that want the stream: its own workers (an engine reading it) do not.</summary>
    private int Demand() => _state.Readers.Count(r => r.Internal?.WorkerOf != _state.Key);

    private void ReadersChanged()
    {
        if (_demand is not null)
        {
            _demand.ReadersChanged(Demand(), _time.GetUtcNow());
            ReconcileSource();
        }
    }

    private void ControlSource(SourceOverride mode)
    {
        if (ResolveSource() is null)
        {
            Sender.Tell(new WorkerControlled(false, "the stream has no source"));
            return;
        }

        // Started again, an always-on source is simply always on again (its entity may then passivate when it ends).
        _demand!.Override = mode == SourceOverride.Started && _demand.AlwaysOn ? SourceOverride.None : mode;
        _log.Info("stream {0}: source {1} by operator", _state.Key, mode == SourceOverride.Started ? "started" : "stopped");
        if (mode == SourceOverride.Started && _sourceReport?.State == "failed")
        {
            // A source that gave up is started over.
            _source?.Tell(new StartWorker(_state.Key, SourceReport.Name));
        }

        ReconcileSource();
        Sender.Tell(new WorkerControlled(true, mode == SourceOverride.Started ? "source started" : "source stopped"));
    }

    /// <summary>Starts the source when it is wanted and the stream has no other publisher; stops it when it is not wanted.</summary>
    private void ReconcileSource()
    {
        if (_demand is null || _sourceDecision is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var wanted = _demand.Wanted(now);
        if (wanted && _source is null && (_state.Publisher is null || _state.Publisher.Internal?.Announced == true))
        {
            _source = Context.ActorOf(_sourceDecision.Props, SourceReport.Name);
            Context.Watch(_source);
            _sourceStopping = false;
            _sourceReport = null;
            _sourceSince = now;
            Timers.Cancel(IdleTimer);
            _log.Info("stream {0}: source {1} started ({2})", _state.Key, _sourceDecision.Url, DemandReason());
        }
        else if (!wanted && _source is not null && !_sourceStopping)
        {
            _sourceStopping = true;
            Context.Stop(_source);
            _log.Info("stream {0}: source {1} stopping ({2})", _state.Key, _sourceDecision.Url, DemandReason());
        }

        if (_demand.NextCheck(now) is { } next)
        {
            Timers.StartSingleTimer("source-check", SourceCheck.Instance, next - now + TimeSpan.FromMilliseconds(20));
        }
    }

    private string DemandReason() => _demand!.Override switch
    {
        SourceOverride.Started => "started by operator",
        SourceOverride.Stopped => "stopped by operator",
        _ when _demand.Readers > 0 => $"{_demand.Readers} readers",
        _ when _demand.AlwaysOn => "always on",
        _ => "no readers",
    };

    private void SourceStopped()
    {
        _source = null;
        _sourceStopping = false;
        _sourceSince = _time.GetUtcNow();
        _log.Info("stream {0}: source stopped", _state.Key);

        // Wanted again while it stopped (a reader came): it starts again at once, and that reader waits for it.
        ReconcileSource();
        if (_source is null && _state.IsIdle && _workerRefs.Count == 0)
        {
            ScheduleIdleCheck();
        }
    }

    private void OnSourceReport(SourceReport report)
    {
        var previous = _sourceReport;
        _sourceReport = report;
        if (previous?.State != report.State)
        {
            _sourceSince = _time.GetUtcNow();
        }

        if (report.State is "failed" or "unavailable" && previous?.State != report.State && _state.Publisher is null)
        {
            // Readers waiting for the first frames are told why none will come, rather than time out.
            foreach (var (session, id) in _sessions)
            {
                if (_state.Readers.Any(r => r.Id == id && r.Internal is null))
                {
                    session.Tell(new KickClient($"source unavailable: {report.Reason}"));
                }
            }
        }
    }

    private SourceStatus? SourceStatusNow()
    {
        if (_sourceDecision is not { } decision)
        {
            return null;
        }

        var state = _source is null
            ? (_demand!.Override == SourceOverride.Stopped ? "stopped" : "idle")
            : _sourceReport?.State ?? "starting";
        var reason = _source is null ? DemandReason() : _sourceReport?.Reason ?? "starting";
        return new SourceStatus(decision.Url, decision.Kind, decision.AlwaysOn, state, reason, _sourceReport?.Restarts ?? 0, _sourceSince)
        {
            LastError = _sourceReport?.LastError,
            RunningSince = _source is null ? null : _sourceReport?.RunningSince,
            Log = _sourceReport?.Log ?? [],
        };
    }

    private void ScheduleIdleCheck() => Timers.StartSingleTimer(IdleTimer, IdleCheck.Instance, _idleTimeout);

    private void OnIdleCheck()
    {
        var now = _time.GetUtcNow();
        if (_state.ShouldPassivate(now, _idleTimeout) && _workerRefs.Count == 0 && _source is null && _demand?.Wanted(now) != true
            && _demand?.Override is null or SourceOverride.None)
        {
            _log.Debug("stream {0}: idle for {1}, passivating", _state.Key, _idleTimeout);
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        }
        else if (_state.IsIdle)
        {
            var left = _idleTimeout - (now - _state.LastActive);
            Timers.StartSingleTimer(IdleTimer, IdleCheck.Instance, left > TimeSpan.Zero ? left : _idleTimeout);
        }
    }

    private sealed class IdleCheck
    {
        public static readonly IdleCheck Instance = new();
    }

    private sealed class SourceCheck
    {
        public static readonly SourceCheck Instance = new();
    }
}
