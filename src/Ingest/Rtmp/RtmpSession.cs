using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Platform.Media;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Ingest.Rtmp;

/// <summary>
/// One RTMP connection: handshake, then a read loop in the Kestrel style (parse every complete message
/// without awaiting, then act on them), dispatching protocol control, commands and media. A publishing
/// session writes into its stream's hub; a playing session runs a sender loop that writes batches of
/// shared, pre-chunked frames. Any malformed input closes this connection only, with the cause logged.
/// </summary>
public sealed partial class RtmpSession : IClientSession
{
    private const int MaxMessagesPerRead = 64;
    private readonly Socket _socket;
    private readonly RtmpServerOptions _options;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private readonly PipeReader _input;
    private readonly RtmpChunkReader _chunks;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly List<RtmpMessage> _pending = new(MaxMessagesPerRead);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientHandle? _client;
    private string? _kickReason;
    private long _bytesSent;
    private long _lastAckSent;
    private uint _peerWindow;
    private long _sendStartedMs;

    public RtmpSession(Socket socket, RtmpServerOptions options, StreamControl control, ILogger log)
    {
        _socket = socket;
        _options = options;
        _control = control;
        _log = log;
        socket.NoDelay = true;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(bufferSize: 32768, minimumReadSize: 4096, useZeroByteReads: true));
        _chunks = new RtmpChunkReader(new RtmpChunkReaderOptions
        {
            MaxMessageLength = options.MaxMessageLength,
            MaxChunkStreams = options.MaxChunkStreams,
        });
        var remote = socket.RemoteEndPoint as IPEndPoint;
        Info = new ClientInfo(ClientIds.Next(), ClientKind.RtmpConnecting, remote?.Address.ToString() ?? "unknown",
            default, string.Empty, string.Empty, string.Empty, string.Empty, DateTimeOffset.UtcNow);
    }

    public ClientInfo Info { get; private set; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => _chunks.BytesConsumed + RtmpHandshake.C0C1Size + RtmpHandshake.PacketSize;

    public Task Completion => _completion.Task;

    public void Kick(string reason)
    {
        if (Interlocked.CompareExchange(ref _kickReason, reason, null) is null)
        {
            // The first reason is the one logged and counted: later ones (the play loop seeing its queue
            // closed, the server stopping) are consequences, not new events.
            Streams.Telemetry.PlatformTelemetry.RecordKick(reason);
            _log.LogInformation("client {ClientId} ({Stream}): closing, {Reason}", Info.Id, Info.Stream, reason);
        }

        _play?.Queue.Close(reason);
        try
        {
            _closed.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var stop = stoppingToken.Register(static s => ((RtmpSession)s!).Kick("server stopping"), this);
        using var watchdog = Watchdog.Register(CheckSend);
        _client = _control.Connect(this);
        try
        {
            await HandshakeAsync();
            await ReadLoopAsync();
        }
        catch (MediaFormatException ex)
        {
            _log.LogWarning("client {ClientId} from {Ip}: protocol error, closing: {Cause}", Info.Id, Info.Ip, ex.Message);
        }
        catch (SessionTimeoutException ex)
        {
            _log.LogWarning("client {ClientId} from {Ip} ({Stream}): {Cause}, closing", Info.Id, Info.Ip, Info.Stream, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or ConnectionAbortedException)
        {
            _log.LogDebug("client {ClientId}: connection ended ({Error})", Info.Id, ex.Message);
        }
        finally
        {
            await CloseAsync();
        }
    }

    private async Task CloseAsync()
    {
        _closed.Cancel();
        try
        {
            EndPublish();
            await EndPlayAsync();
        }
        finally
        {
            foreach (var message in _pending)
            {
                message?.Dispose();
            }

            _pending.Clear();

            // Counted before the chunk reader is disposed (which resets its count).
            var received = BytesReceived;
            _chunks.Dispose();
            _sender?.Dispose();
            _client?.Dispose();
            _completion.TrySetResult();
            if (_connectAllowed)
            {
                _control.Access.Notify(ClientEventKind.Closed, Info with { BytesSent = BytesSent, BytesReceived = received });
            }

            if (_closeAfterReply)
            {
                await LingerAsync();
            }

            await _input.CompleteAsync();
            _socket.Dispose();
            _log.LogInformation("client {ClientId} from {Ip} closed ({Stream}), {In} bytes in, {Out} bytes out",
                Info.Id, Info.Ip, Info.Stream, received, BytesSent);
        }
    }

    /// <summary>
    /// After a refusal: half-close and let the client read the answer and close first (bounded), so that
    /// unread input does not turn the close into a reset that could swallow the answer.
    /// </summary>
    private async Task LingerAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (true)
            {
                var result = await _input.ReadAsync(linger.Token);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        while (true)
        {
            var limit = CurrentReadTimeout();
            timeout.CancelAfter(limit);
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
            {
                throw new SessionTimeoutException($"{ReadTimeoutName()} ({limit.TotalSeconds:0} s)");
            }

            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            while (_pending.Count < MaxMessagesPerRead && _chunks.TryReadMessage(ref reader, out var message))
            {
                _pending.Add(message!);
            }

            var examined = _pending.Count == MaxMessagesPerRead ? reader.Position : buffer.End;
            _input.AdvanceTo(reader.Position, examined);

            for (var i = 0; i < _pending.Count; i++)
            {
                var message = _pending[i];
                try
                {
                    await HandleMessageAsync(message);
                }
                finally
                {
                    message.Dispose();
                    _pending[i] = null!;
                }
            }

            _pending.Clear();
            await AcknowledgeAsync();

            if (result.IsCompleted || _closeAfterReply)
            {
                return;
            }
        }
    }

    private TimeSpan CurrentReadTimeout()
    {
        if (_publish is not null)
        {
            return _publishGotMedia ? _options.PublishIdleTimeout : _options.PublishFirstPacketTimeout;
        }

        if (_play is not null)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return _connected ? _options.IdleTimeout : _options.HandshakeTimeout;
    }

    private string ReadTimeoutName() =>
        _publish is not null
            ? (_publishGotMedia ? "publisher sent nothing" : "publisher sent no media after publish")
            : _connected ? "client idle" : "no connect command in time";

    /// <summary>Acknowledges received bytes once per the client's window, as the protocol asks.</summary>
    private async Task AcknowledgeAsync()
    {
        if (_peerWindow == 0)
        {
            return;
        }

        var received = BytesReceived;
        if (received - _lastAckSent < _peerWindow)
        {
            return;
        }

        _lastAckSent = received;
        using var writer = new PooledBufferWriter(32);
        RtmpControlMessages.Acknowledgement(writer, unchecked((uint)received));
        await SendControlAsync(writer);
    }

    /// <summary>Writes bytes to the socket under the write lock; the watchdog bounds how long it may take.</summary>
    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync(_closed.Token);
        Volatile.Write(ref _sendStartedMs, Environment.TickCount64);
        try
        {
            var sent = 0;
            while (sent < bytes.Length)
            {
                sent += await _socket.SendAsync(bytes[sent..], SocketFlags.None, _closed.Token);
            }

            Interlocked.Add(ref _bytesSent, bytes.Length);
        }
        finally
        {
            Volatile.Write(ref _sendStartedMs, 0);
            _writeLock.Release();
        }
    }

    /// <summary>Runs every second: a socket write stuck longer than the send timeout closes the connection.</summary>
    private void CheckSend()
    {
        var started = Volatile.Read(ref _sendStartedMs);
        if (started != 0 && Environment.TickCount64 - started > _options.PlaySendTimeout.TotalMilliseconds)
        {
            Kick($"send took over {_options.PlaySendTimeout.TotalSeconds:0} s");
        }
    }

    private async Task SendControlAsync(PooledBufferWriter writer)
    {
        using var buffer = new PooledBufferLease(writer.ToPooledBuffer());
        await SendAsync(buffer.Buffer.Memory);
    }

    private sealed class SessionTimeoutException(string message) : Exception(message);

    private readonly struct PooledBufferLease(PooledBuffer buffer) : IDisposable
    {
        public PooledBuffer Buffer { get; } = buffer;

        public void Dispose() => Buffer.Release();
    }
}
