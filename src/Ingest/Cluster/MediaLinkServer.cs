using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Media;
using Platform.Media.Cluster;
using Platform.Media.Flv;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Cluster;
using Platform.Streams.Hub;

namespace Platform.Ingest.Cluster;

/// <summary>Where this node listens for media links from the other nodes.</summary>
public sealed record MediaLinkListenOptions(string BindAddress, int Port);

/// <summary>
/// Serves the streams published on this node to the other nodes: one connection per stream per reading
/// node. A link proves the cluster secret, then reads the local hub through a bounded reader queue (the
/// same drop-to-keyframe and lag rules as a player) and gets every frame's shared FLV tag. Links are
/// listed among the node's clients as <see cref="ClientKind.LinkSender"/>; they fire no client hooks and
/// are not players.
/// </summary>
public sealed class MediaLinkServer : BackgroundService
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    private readonly MediaLinkListenOptions _listen;
    private readonly MediaLinkOptions _options;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MediaLinkServer(MediaLinkListenOptions listen, MediaLinkOptions options, StreamControl control, ILogger<MediaLinkServer> log)
    {
        _listen = listen;
        _options = options;
        _control = control;
        _log = log;
    }

    public Task<IPEndPoint> Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = TcpListen.Open("media links", "Cluster:MediaPort", _listen.BindAddress, _listen.Port, 256, _log, _listening);
        await TcpListen.AcceptAsync(listener, "media link", _log, socket => _ = ServeAsync(socket, stoppingToken), stoppingToken);
    }

    private async Task ServeAsync(Socket socket, CancellationToken stoppingToken)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            socket.NoDelay = true;
            var nonce = RandomNumberGenerator.GetBytes(MediaLinkProtocol.NonceLength);
            var challenge = new byte[MediaLinkProtocol.ChallengeLength];
            MediaLinkProtocol.WriteChallenge(challenge, nonce);
            await stream.WriteAsync(challenge, stoppingToken);

            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            using var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            helloTimeout.CancelAfter(HelloTimeout);
            LinkHello hello = default;
            if (!await LinkReads.ReadAsync(reader, (ref SequenceReader<byte> r) => MediaLinkProtocol.TryReadHello(ref r, out hello), helloTimeout.Token))
            {
                return;
            }

            var (answer, hub) = Admit(hello, nonce, remote);
            await SendAnswerAsync(stream, answer, stoppingToken);
            if (hub is null)
            {
                return;
            }

            var session = new LinkSenderSession(hello, remote, hub.Key, socket);
            using var client = _control.Connect(session);
            try
            {
                _log.LogInformation("media link {ClientId}: sending {Stream} to node {Node} ({Remote})", session.Info.Id, hub.Key, hello.Node, remote);
                var reason = await session.SendAsync(hub, reader, stoppingToken);
                _log.LogInformation("media link {ClientId}: {Stream} to node {Node} ended, {Reason}", session.Info.Id, hub.Key, hello.Node, reason);
            }
            finally
            {
                _control.Hubs.Release(hub);
                session.Complete();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or MediaFormatException or ObjectDisposedException)
        {
            _log.LogInformation("media link from {Remote} closed: {Reason}", remote, ex.Message);
        }
    }

    private (LinkAnswer Answer, StreamHub? Hub) Admit(LinkHello hello, byte[] nonce, string remote)
    {
        if (!_options.Enabled)
        {
            _log.LogWarning("media link from {Remote} (node {Node}) refused: this node has no Cluster:Secret", remote, hello.Node);
            return (new LinkAnswer(LinkAnswerCode.Denied, "this node has no cluster secret"), null);
        }

        if (!MediaLinkProtocol.Verify(_options.SecretBytes, nonce, hello))
        {
            _log.LogWarning("media link from {Remote} (node {Node}) refused: wrong cluster secret", remote, hello.Node);
            return (new LinkAnswer(LinkAnswerCode.Denied, "wrong cluster secret"), null);
        }

        if (!StreamKey.TryParse(hello.Stream, out var key))
        {
            return (new LinkAnswer(LinkAnswerCode.BadRequest, "not a stream name"), null);
        }

        // Only a publish made on this node is served: a hub fed by a link is never passed on.
        var hub = _control.Hubs.Acquire(key);
        var publisher = hub.PublisherId;
        if (publisher is null || MediaLinks.IsLinkPublisher(publisher))
        {
            _control.Hubs.Release(hub);
            return (new LinkAnswer(LinkAnswerCode.NotPublished, "not published on this node"), null);
        }

        return (new LinkAnswer(LinkAnswerCode.Streaming, string.Empty), hub);
    }

    private static async Task SendAnswerAsync(NetworkStream stream, LinkAnswer answer, CancellationToken cancellationToken)
    {
        var bytes = new byte[2 + 255];
        var length = MediaLinkProtocol.WriteAnswer(bytes, answer);
        await stream.WriteAsync(bytes.AsMemory(0, length), cancellationToken);
    }

    /// <summary>One link sending a stream to another node; a client of kind <see cref="ClientKind.LinkSender"/>.</summary>
    private sealed class LinkSenderSession : IClientSession
    {
        private static readonly byte[] EndOfPublish = BuildEndOfPublish();
        private readonly Socket _socket;
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ReaderQueue? _queue;
        private long _bytesSent;

        public LinkSenderSession(LinkHello hello, string remote, StreamKey stream, Socket socket)
        {
            _socket = socket;
            var ip = remote.Contains(':', StringComparison.Ordinal) ? remote[..remote.LastIndexOf(':')] : remote;
            Info = new ClientInfo(ClientIds.Next(), ClientKind.LinkSender, ip, stream, hello.Node, string.Empty, string.Empty, string.Empty, DateTimeOffset.UtcNow);
        }

        public ClientInfo Info { get; }

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public long BytesReceived => 0;

        public Task Completion => _completion.Task;

        public void Kick(string reason)
        {
            Volatile.Read(ref _queue)?.Close(reason);
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Complete() => _completion.TrySetResult();

        /// <summary>Sends the hub's frames until the publish ends, the peer goes away, or the queue is cut for lag.</summary>
        public async Task<string> SendAsync(StreamHub hub, PipeReader peer, CancellationToken stoppingToken)
        {
            // A link serves a whole node: no merge delay on top of its players' own.
            var queue = new ReaderQueue("link:" + Info.TcUrl, hub.Options.Reader with { WriteCoalesce = TimeSpan.Zero });
            Volatile.Write(ref _queue, queue);
            hub.AddReader(queue);
            using var stopping = stoppingToken.Register(static q => ((ReaderQueue)q!).Close("node stopping"), queue);
            var watchPeer = WatchPeerAsync(peer, queue);
            var batch = new List<MediaFrame>(128);
            var segments = new List<ArraySegment<byte>>(128);
            using var sender = new Rtmp.SocketSender();
            try
            {
                while (true)
                {
                    if (queue.TakeBatch(batch) > 0)
                    {
                        foreach (var frame in batch)
                        {
                            if (frame.Length > 0)
                            {
                                segments.Add(frame.FlvTag.Segment);
                            }
                        }

                        var sent = segments.Count > 0 ? await sender.SendAsync(_socket, segments) : 0;
                        Interlocked.Add(ref _bytesSent, sent);
                        hub.Stats.CountOut(sent);
                        segments.Clear();
                        foreach (var frame in batch)
                        {
                            frame.Release();
                        }

                        batch.Clear();
                        continue;
                    }

                    if (queue.IsClosed)
                    {
                        return queue.CloseReason ?? "closed";
                    }

                    if (!hub.IsPublishing)
                    {
                        await _socket.SendAsync(EndOfPublish, SocketFlags.None, stoppingToken);
                        return "the publish ended";
                    }

                    await queue.WaitAsync();
                }
            }
            finally
            {
                foreach (var frame in batch)
                {
                    frame.Release();
                }

                hub.RemoveReader(queue);
                try
                {
                    _socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }

                await watchPeer;
            }
        }

        /// <summary>The peer sends nothing after its hello: a read that ends means it is gone.</summary>
        private static async Task WatchPeerAsync(PipeReader peer, ReaderQueue queue)
        {
            try
            {
                while (!queue.IsClosed)
                {
                    var result = await peer.ReadAsync();
                    peer.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }

            queue.Close("peer closed the link");
        }

        private static byte[] BuildEndOfPublish()
        {
            var tag = new byte[FlvWriter.GetTagLength(0)];
            FlvWriter.WriteTag(tag, FlvTagType.Script, 0, []);
            return tag;
        }
    }
}
