using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Platform.Media.Rtmp;

namespace Platform.Workers.Rtmp;

/// <summary>
/// The client side of one RTMP connection, what the platform's own clients share (the forward's publishing
/// client, the pulled sources' playing client): TCP connect and handshake, the <c>connect</c> and
/// <c>createStream</c> exchange, and read steps that apply protocol control (the server's chunk size and
/// acknowledgement window, pings) and hand every other message on. Writes are serialized and each is bounded
/// by the send timeout, so a server that stops reading fails the writer instead of hanging it. Reads are one
/// reader at a time.
/// </summary>
public sealed partial class RtmpClientConnection : IAsyncDisposable
{
    /// <summary>The chunk size announced (before <c>connect</c>) and used for everything sent after the handshake.</summary>
    public const int ChunkSize = 4096;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly RtmpChunkReader _chunks;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly TimeSpan _sendTimeout;
    private readonly string _peer;
    private long _bytesSent;
    private int _disposed;

    private RtmpClientConnection(Socket socket, TimeSpan sendTimeout, RtmpChunkReaderOptions limits, string peer)
    {
        _socket = socket;
        _sendTimeout = sendTimeout;
        _peer = peer;
        _chunks = new RtmpChunkReader(limits);
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: true));
    }

    /// <summary>Bytes written to the connection so far (handshake, commands, control and media).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes read from the connection and parsed so far (the handshake and complete chunks): what acknowledgements count.</summary>
    public long BytesReceived => RtmpHandshake.S0S1S2Size + _chunks.BytesConsumed;

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, does the (plain) handshake and runs
    /// <paramref name="setUp"/> (<c>connect</c>, <c>createStream</c>, <c>publish</c> or <c>play</c>), all within
    /// <paramref name="timeout"/>, else <see cref="TimeoutException"/> with <paramref name="timeoutMessage"/>. On any
    /// failure the connection is closed. <paramref name="peer"/> names the server in errors (<c>the destination</c>,
    /// <c>the source</c>); <paramref name="limits"/> bounds what the server may make this client buffer.
    /// </summary>
    public static async Task<RtmpClientConnection> EstablishAsync(
        string host,
        int port,
        string peer,
        RtmpChunkReaderOptions limits,
        TimeSpan timeout,
        TimeSpan sendTimeout,
        Func<RtmpClientConnection, CancellationToken, Task> setUp,
        string timeoutMessage,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RtmpClientConnection? connection = null;
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token);
            connection = new RtmpClientConnection(socket, sendTimeout, limits, peer);
            await connection.HandshakeAsync(deadline.Token);
            await setUp(connection, deadline.Token);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(timeoutMessage, ex);
            }

            throw;
        }
    }

    /// <summary>Writes bytes (chunked messages) under the send timeout.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            timeout.CancelAfter(_sendTimeout);
            try
            {
                await _stream.WriteAsync(bytes, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_closing.IsCancellationRequested)
            {
                throw new TimeoutException($"{_peer} took no data for {_sendTimeout.TotalSeconds:0.#} s");
            }

            Interlocked.Add(ref _bytesSent, bytes.Length);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Closes the connection: writes are cancelled, a read under way ends (it is waited for), and what reading
    /// holds is released. Safe to call more than once; not from inside a read's message handler.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _readLock.WaitAsync();
        try
        {
            await _input.CompleteAsync();
            _chunks.Dispose();
            await _stream.DisposeAsync();
        }
        finally
        {
            // A read after this fails at once (disposed).
            _readLock.Release();
        }
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: false, time: 0);
        await SendAsync(c0c1, cancellationToken);
        var s1 = new byte[RtmpHandshake.PacketSize];
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            if (TryReadS0S1S2(result.Buffer, s1, out var consumed))
            {
                _input.AdvanceTo(consumed);
                break;
            }

            _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"{_peer} closed the connection during the handshake");
            }
        }

        var c2 = new byte[RtmpHandshake.PacketSize];
        RtmpHandshake.WriteC2(s1, c2, digest: false);
        await SendAsync(c2, cancellationToken);
    }

    private static bool TryReadS0S1S2(in ReadOnlySequence<byte> buffer, byte[] s1, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var done = RtmpHandshake.TryReadS0S1S2(ref reader, s1);
        consumed = reader.Position;
        return done;
    }
}
