using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Platform.Media;
using Platform.Media.Buffers;
using Platform.Media.Cluster;
using Platform.Media.Flv;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Streams.Hub;

namespace Platform.Ingest.Cluster;

/// <summary>
/// One stream's link on this node. It asks the stream's entity where the stream is published and, when
/// that is another node, connects to that node's media port and feeds the local hub with what it gets, as
/// the hub's publisher. An unpublish (the end-of-publish marker, or "not published here") makes it wait
/// for the entity to tell of the next publish, wherever it is; a network error makes it try again with
/// backoff, asking the entity each time, so it follows a publisher that moved to another node.
/// </summary>
internal sealed class MediaLink
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan QuickRefresh = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QuickRefreshFor = TimeSpan.FromSeconds(20);
    private readonly MediaLinks _owner;
    private IActorRef _watcher = ActorRefs.Nobody;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly string _publisherId = MediaLinks.PublisherPrefix + ClientIds.Next();
    private Timer? _linger;
    private Socket? _socket;
    private volatile string? _source;
    private volatile bool _feeding;
    private StreamHub? _hub;

    public MediaLink(MediaLinks owner, StreamKey key)
    {
        _owner = owner;
        Key = key;
    }

    public StreamKey Key { get; }

    /// <summary>Local demands; guarded by the owner's lock.</summary>
    public int Users { get; set; }

    private StreamControl Control => _owner.Control;

    private ILogger Log => _owner.Log;

    public void Start()
    {
        _watcher = Control.System.ActorOf(MediaLinkWatcher.Props(this));
        _ = Task.Run(RunAsync);
    }

    public void StartLinger(TimeSpan linger, Action expire)
    {
        _linger?.Dispose();
        _linger = new Timer(static e => ((Action)e!)(), expire, linger, Timeout.InfiniteTimeSpan);
    }

    public void CancelLinger()
    {
        _linger?.Dispose();
        _linger = null;
    }

    public void Stop()
    {
        _linger?.Dispose();
        _stop.Cancel();
        CloseSocket();
    }

    /// <summary>The entity told of a publish or an unpublish: a link reading another node lets go of it.</summary>
    public void OnLocation(PublisherLocation location)
    {
        if (_source is { } source && source != location.MediaEndpoint)
        {
            CloseSocket();
        }

        Signal();
    }

    /// <summary>A local publisher takes the hub: stop feeding it now.</summary>
    public bool Yield()
    {
        var hub = Volatile.Read(ref _hub);
        if (hub is null)
        {
            return false;
        }

        _feeding = false;
        hub.EndPublish(_publisherId);
        CloseSocket();
        return true;
    }

    private void Signal()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private void CloseSocket()
    {
        try
        {
            Volatile.Read(ref _socket)?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task WaitChangeAsync(TimeSpan timeout)
    {
        try
        {
            await _changed.WaitAsync(timeout, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        var self = Control.SelfAddress;
        var unpublishedAt = DateTime.MinValue;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                PublisherLocation location;
                try
                {
                    location = await Control.Region.Ask<PublisherLocation>(new WatchPublisher(Key, _watcher), Control.Options.AskTimeout, _stop.Token);
                }
                catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException or OperationCanceledException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        break;
                    }

                    Log.LogWarning("media link for {Stream}: the stream's entity did not answer, asking again", Key);
                    await WaitChangeAsync(backoff);
                    backoff = Next(backoff);
                    continue;
                }

                if (location.Node is null || location.MediaEndpoint is null || location.Node == self)
                {
                    // Nobody publishes, or the publisher is here: wait to be told (and ask again now and then,
                    // in case the entity was started again elsewhere and does not know this node waits).
                    await WaitChangeAsync(RefreshAfter(unpublishedAt));
                    continue;
                }

                switch (await StreamFromAsync(location))
                {
                    case Outcome.Unpublished:
                        backoff = FirstBackoff;
                        unpublishedAt = DateTime.UtcNow;
                        await WaitChangeAsync(RefreshAfter(unpublishedAt));
                        break;
                    case Outcome.Failed or Outcome.NotThere:
                        await WaitChangeAsync(backoff);
                        backoff = Next(backoff);
                        break;
                    default:
                        backoff = FirstBackoff;
                        break;
                }
            }
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "media link for {Stream} failed", Key);
        }
        finally
        {
            Control.Region.Tell(new UnwatchPublisher(Key, _watcher));
            Control.System.Stop(_watcher);
        }
    }

    /// <summary>
    /// How long to wait for the entity's push before asking again. Right after an unpublish the publisher
    /// often comes back on another node while the stream's entity moves (a drained node hands it off, and the
    /// new entity does not know this node waits): ask every second then, every <see cref="MediaLinkOptions.Refresh"/> later.
    /// </summary>
    private TimeSpan RefreshAfter(DateTime unpublishedAt) =>
        DateTime.UtcNow - unpublishedAt < QuickRefreshFor && _owner.Options.Refresh > QuickRefresh ? QuickRefresh : _owner.Options.Refresh;

    private TimeSpan Next(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _owner.Options.MaxBackoff.Ticks));

    private async Task<Outcome> StreamFromAsync(PublisherLocation location)
    {
        var endpoint = location.MediaEndpoint!;
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port))
        {
            Log.LogWarning("media link for {Stream}: {Endpoint} is not host:port", Key, endpoint);
            return Outcome.Failed;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Volatile.Write(ref _socket, socket);
        _source = endpoint;
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            connect.CancelAfter(_owner.Options.ConnectTimeout);
            await socket.ConnectAsync(endpoint[..colon], port, connect.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, minimumReadSize: 64 * 1024));
            var answer = await HandshakeAsync(stream, reader, connect.Token);
            if (answer.Code == LinkAnswerCode.NotPublished)
            {
                // The entity says it is published there, the node says not (yet: the entity accepts a publish
                // just before the publisher's hub opens; or no more): ask again shortly.
                return Outcome.NotThere;
            }

            if (answer.Code != LinkAnswerCode.Streaming)
            {
                Log.LogError("media link for {Stream}: node {Node} refused the link: {Reason}", Key, location.Node, answer.Reason);
                return Outcome.Failed;
            }

            return await FeedAsync(location, socket, reader);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or MediaFormatException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Log.LogWarning("media link for {Stream} from {Node} ({Endpoint}): {Error}", Key, location.Node, endpoint, ex.Message);
            }

            return Outcome.Failed;
        }
        finally
        {
            _source = null;
            Volatile.Write(ref _socket, null);
            socket.Dispose();
        }
    }

    private async Task<LinkAnswer> HandshakeAsync(NetworkStream stream, PipeReader reader, CancellationToken cancellationToken)
    {
        var nonce = new byte[MediaLinkProtocol.NonceLength];
        await ReadAsync(reader, (ref SequenceReader<byte> r) => MediaLinkProtocol.TryReadChallenge(ref r, nonce), cancellationToken);
        var node = Control.SelfAddress.ToString();
        var hello = new LinkHello(Key.EntityId, node, MediaLinkProtocol.Prove(_owner.Options.SecretBytes, nonce, Key.EntityId, node));
        var bytes = new byte[MediaLinkProtocol.HelloLength(hello)];
        MediaLinkProtocol.WriteHello(bytes, hello);
        await stream.WriteAsync(bytes, cancellationToken);
        LinkAnswer answer = default;
        await ReadAsync(reader, (ref SequenceReader<byte> r) => MediaLinkProtocol.TryReadAnswer(ref r, out answer), cancellationToken);
        return answer;
    }

    private static async Task ReadAsync(PipeReader reader, TryRead tryRead, CancellationToken cancellationToken)
    {
        if (!await LinkReads.ReadAsync(reader, tryRead, cancellationToken))
        {
            throw new IOException("the node closed the link during the handshake");
        }
    }

    /// <summary>Writes every tag into the local hub as its publisher until the publish ends or the link breaks.</summary>
    private async Task<Outcome> FeedAsync(PublisherLocation location, Socket socket, PipeReader reader)
    {
        var hub = Control.Hubs.Acquire(Key);
        if (!hub.BeginPublish(_publisherId))
        {
            // A publisher of this node holds the hub: the location was stale.
            Control.Hubs.Release(hub);
            return Outcome.NotThere;
        }

        Volatile.Write(ref _hub, hub);
        _feeding = true;
        var session = new LinkReceiverSession(Key, location, this);
        using var client = Control.Connect(session);
        Log.LogInformation("media link {ClientId}: {Stream} from node {Node} ({Endpoint})", session.Info.Id, Key, location.Node, location.MediaEndpoint);
        var maxFrame = _owner.Options.MaxFrameLength;
        var outcome = Outcome.Failed;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                var ended = Consume(hub, ref buffer, maxFrame, session);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (ended)
                {
                    outcome = Outcome.Unpublished;
                    break;
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            _feeding = false;
            Volatile.Write(ref _hub, null);
            hub.EndPublish(_publisherId);
            Control.Hubs.Release(hub);
            session.Complete();
            Log.LogInformation("media link {ClientId}: {Stream} from node {Node} ended ({Outcome})", session.Info.Id, Key, location.Node, outcome == Outcome.Unpublished ? "unpublished" : "connection lost");
        }

        return outcome;
    }

    /// <summary>Parses every complete tag; true at the end-of-publish marker.</summary>
    private bool Consume(StreamHub hub, ref ReadOnlySequence<byte> buffer, int maxFrame, LinkReceiverSession session)
    {
        var reader = new SequenceReader<byte>(buffer);
        var ended = false;
        while (FlvReader.TryReadTag(ref reader, maxFrame, out var tag))
        {
            session.Received(FlvWriter.GetTagLength(tag.DataSize));
            if (tag.DataSize == 0)
            {
                ended = tag.Type == FlvTagType.Script;
                if (ended)
                {
                    break;
                }

                continue;
            }

            if (_feeding)
            {
                hub.Write((FrameKind)tag.Type, tag.Timestamp, PooledBuffer.CopyOf(tag.Data));
            }
        }

        buffer = buffer.Slice(reader.Position);
        return ended;
    }

    private enum Outcome
    {
        /// <summary>The publish ended (the end-of-publish marker): wait for the entity to tell of the next.</summary>
        Unpublished,

        /// <summary>The node the entity named does not publish the stream: ask again after a short backoff.</summary>
        NotThere,

        /// <summary>A network error or a refusal: try again with backoff.</summary>
        Failed,
    }

    /// <summary>The link as a client of this node (<see cref="ClientKind.LinkReceiver"/>), for the API; kicking it reconnects.</summary>
    private sealed class LinkReceiverSession(StreamKey stream, PublisherLocation location, MediaLink link) : IClientSession
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _received;

        public ClientInfo Info { get; } = new(ClientIds.Next(), ClientKind.LinkReceiver, location.MediaEndpoint ?? string.Empty, stream,
            location.Node?.ToString() ?? string.Empty, string.Empty, string.Empty, string.Empty, DateTimeOffset.UtcNow);

        public long BytesSent => 0;

        public long BytesReceived => Interlocked.Read(ref _received);

        public Task Completion => _completion.Task;

        public void Received(long bytes) => Interlocked.Add(ref _received, bytes);

        public void Kick(string reason) => link.CloseSocket();

        public void Complete() => _completion.TrySetResult();
    }
}
