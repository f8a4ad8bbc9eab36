using Akka.Actor;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Cluster;
using Platform.Streams.Entity;
using Platform.Streams.Hub;

namespace Platform.Streams;

/// <summary>
/// What a protocol session uses to take part in a stream: register the connection, ask the stream's
/// entity for publish or play, and get the local hub. Sessions stay thin; the decisions are the entity's.
/// </summary>
public sealed class StreamControl
{
    private readonly Lazy<ActorSystem> _system;
    private readonly Lazy<IActorRef> _region;
    private long _connectSequence;

    public StreamControl(ActorSystem system, IActorRef region, HubRegistry hubs, ClientRegistry clients, StreamsOptions options, AccessPipeline? access = null)
        : this(() => system, () => region, hubs, clients, options, access)
    {
    }

    /// <summary>Resolves the actor system and region on first use (the host starts Akka after building services).</summary>
    public StreamControl(Func<ActorSystem> system, Func<IActorRef> region, HubRegistry hubs, ClientRegistry clients, StreamsOptions options, AccessPipeline? access = null)
    {
        Access = access ?? AccessPipeline.AllowAll;
        _system = new Lazy<ActorSystem>(system);
        _region = new Lazy<IActorRef>(region);
        Hubs = hubs;
        Clients = clients;
        Options = options;
    }

    public ActorSystem System => _system.Value;

    /// <summary>The stream entities' shard region (or proxy).</summary>
    public IActorRef Region => _region.Value;

    public HubRegistry Hubs { get; }

    public ClientRegistry Clients { get; }

    public StreamsOptions Options { get; }

    /// <summary>Checks run before connect, publish and play, and sinks of clients' lifecycle events.</summary>
    public AccessPipeline Access { get; }

    /// <summary>This node's media links to the others (set once by the host; none on a node alone).</summary>
    public IMediaLinks Links { get; set; } = NoMediaLinks.Instance;

    /// <summary>
    /// The wait for a publisher that the stream's app sets for a kind of player (the <c>Apps</c> rules), or
    /// null when it sets none; it wins over the protocol's and the node's settings.
    /// </summary>
    public Func<StreamKey, ClientKind, TimeSpan?>? PlayWaitOf { get; set; }

    /// <summary>Tickets of the platform's own connections (engines), admitted without outside credentials.</summary>
    public InternalTickets Tickets { get; } = new();

    /// <summary>This node's media link listener (<c>host:port</c>) that other nodes fetch its publishes from; null: none.</summary>
    public string? MediaEndpoint { get; set; }

    public Address SelfAddress => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Registers a connection for the API and gives it its control-plane actor.</summary>
    public ClientHandle Connect(IClientSession session)
    {
        var actor = System.ActorOf(ClientActor.Props(session.Kick), "client-" + session.Info.Id);
        Clients.Add(session, actor);
        return new ClientHandle(this, session, actor);
    }

    /// <summary>
    /// Registers a connection whose id came from the client (an HLS context); null when that id is already
    /// taken, so an existing client is never shadowed.
    /// </summary>
    public ClientHandle? TryConnect(IClientSession session)
    {
        var name = $"client-{session.Info.Id}-{Interlocked.Increment(ref _connectSequence)}";
        IActorRef? actor = null;
        return Clients.TryAdd(session, () => actor = System.ActorOf(ClientActor.Props(session.Kick), name))
            ? new ClientHandle(this, session, actor!)
            : null;
    }

    /// <summary>
    /// Tells the stream's entity of a viewer that takes the stream from files (HLS): it is counted among the
    /// stream's clients and watched, but reads no hub. Returns the entity's refusal, or null.
    /// </summary>
    public async Task<string?> WatchAsync(ClientHandle client, CancellationToken cancellationToken)
    {
        var info = client.Session.Info;
        var reply = await AskEntityAsync(new PlayStream(info.Stream, info, client.Actor), cancellationToken);
        return reply is PlayRejected rejected ? rejected.Reason : null;
    }

    /// <summary>Tells the stream's entity that a viewer registered by <see cref="WatchAsync"/> left.</summary>
    public void StopWatching(ClientInfo info) => Region.Tell(new StopPlaying(info.Stream, info.Id));

    /// <summary>
    /// Registers this node's players of <paramref name="stream"/> with its entity again (the entity was
    /// started anew on another node and knows only its publisher); returns how many were.
    /// </summary>
    public int RegisterReadersAgain(StreamKey stream)
    {
        var count = 0;
        foreach (var client in Clients.Snapshot())
        {
            var info = client.Info;
            if (info.Stream == stream && info.Kind is ClientKind.RtmpPlayer or ClientKind.FlvPlayer or ClientKind.HlsPlayer
                && Clients.ActorOf(info.Id) is { } actor)
            {
                Region.Tell(new PlayStream(stream, info, actor), ActorRefs.NoSender);
                count++;
            }
        }

        return count;
    }

    /// <summary>The stream's state as its entity knows it now.</summary>
    public Task<StreamSnapshot> SnapshotAsync(StreamKey stream, CancellationToken cancellationToken) =>
        Region.Ask<StreamSnapshot>(new GetStream(stream), Options.AskTimeout, cancellationToken);

    /// <summary>Asks the stream's entity to let this client publish, then opens the local hub for it.</summary>
    public async Task<PublishOutcome> PublishAsync(ClientHandle client, CancellationToken cancellationToken)
    {
        var info = client.Session.Info;
        if (Options.PublishRefusal is { } refusal)
        {
            return new PublishOutcome(null, refusal) { Denied = true };
        }

        var reply = await AskEntityAsync(new PublishStream(info.Stream, info, client.Actor, MediaEndpoint), cancellationToken);
        if (reply is PublishRejected rejected)
        {
            return new PublishOutcome(null, rejected.Reason);
        }

        var hub = Hubs.Acquire(info.Stream);
        if (!hub.BeginPublish(info.Id) && !(Links.Yield(info.Stream) && hub.BeginPublish(info.Id)))
        {
            Hubs.Release(hub);
            Region.Tell(new UnpublishStream(info.Stream, info.Id));
            return new PublishOutcome(null, $"stream is already being published on this node by client {hub.PublisherId}");
        }

        return new PublishOutcome(new PublishLease(this, info, client.Actor, hub), null) { Workers = (reply as PublishAccepted)?.Workers };
    }

    /// <summary>
    /// Asks the stream's entity a question it answers the same way twice (publish and play by a client id),
    /// asking again every 3 s within <see cref="StreamsOptions.AskTimeout"/>: a shard region drops the messages
    /// it buffered while the shard moved to another node (a drained node hands its shards off), and a question
    /// lost that way would otherwise hold the client for the whole timeout.
    /// </summary>
    private async Task<object> AskEntityAsync(object message, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Options.AskTimeout;
        var attempt = TimeSpan.FromSeconds(3);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                return await Region.Ask<object>(message, left < attempt ? left : attempt, cancellationToken);
            }
            catch (AskTimeoutException) when (deadline - DateTime.UtcNow > TimeSpan.FromMilliseconds(200))
            {
            }
        }
    }

    /// <summary>Asks the stream's entity to let this client play, then joins the local hub as a reader.</summary>
    /// <param name="wait">How long the player waits for a publisher when its app's rule does not say (see
    /// <see cref="PlayWaitOf"/>); default <see cref="StreamsOptions.PlayWaitTimeout"/>; zero: a stream published
    /// nowhere is refused at once.</param>
    public async Task<PlayOutcome> PlayAsync(ClientHandle client, CancellationToken cancellationToken, TimeSpan? wait = null)
    {
        var info = client.Session.Info;
        var reply = await AskEntityAsync(new PlayStream(info.Stream, info, client.Actor), cancellationToken);
        if (reply is PlayRejected rejected)
        {
            return new PlayOutcome(null, rejected.Reason);
        }

        var accepted = (PlayAccepted)reply;
        var waitFor = PlayWaitOf?.Invoke(info.Stream, info.Kind) ?? wait ?? Options.PlayWaitTimeout;
        if (waitFor <= TimeSpan.Zero && !accepted.Live)
        {
            Region.Tell(new StopPlaying(info.Stream, info.Id));
            return new PlayOutcome(null, "stream is not published");
        }

        // Published on another node, or not yet anywhere: this node's link for the stream follows the
        // entity and feeds the local hub, which the player reads like any other.
        var demand = Links.Demand(info.Stream);
        var hub = Hubs.Acquire(info.Stream);
        var queue = new ReaderQueue(info.Id, hub.Options.Reader);
        hub.AddReader(queue);
        return new PlayOutcome(new PlayLease(this, info, hub, queue, demand, waitFor), null);
    }
}

public sealed record PublishOutcome(PublishLease? Lease, string? Rejection)
{
    /// <summary>Refused by this node's policy (not a busy stream): RTMP answers NetStream.Publish.Denied.</summary>
    public bool Denied { get; init; }

    /// <summary>Which workers run for the stream, as its entity said when it accepted the publish.</summary>
    public string? Workers { get; init; }
}

public sealed record PlayOutcome(PlayLease? Lease, string? Rejection);

/// <summary>A registered connection; disposing it unregisters it and stops its actor.</summary>
public sealed class ClientHandle : IDisposable
{
    private readonly StreamControl _control;
    private int _disposed;

    internal ClientHandle(StreamControl control, IClientSession session, IActorRef actor)
    {
        _control = control;
        Session = session;
        Actor = actor;
    }

    public IClientSession Session { get; }

    public IActorRef Actor { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _control.Clients.Remove(Session);
            _control.System.Stop(Actor);
        }
    }
}
