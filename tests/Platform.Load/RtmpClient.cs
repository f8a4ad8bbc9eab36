using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Platform.Media.Rtmp;

namespace Platform.Load;

/// <summary>
/// A minimal RTMP client for load generation and tests: handshake, <c>connect</c>, then either
/// <see cref="PlayAsync"/> and <see cref="ReceiveAsync"/>, or <see cref="PublishAsync"/> and
/// <see cref="WriteMediaAsync"/>. Input is parsed Kestrel style from a <see cref="PipeReader"/> over the
/// socket with <see cref="RtmpChunkReader"/>; only one read operation (a command or
/// <see cref="ReceiveAsync"/>) may run at a time, but writes may run concurrently with reads.
/// </summary>
public sealed partial class RtmpClient : IDisposable
{
    /// <summary>The chunk size this client announces and uses for everything it sends after connect.</summary>
    public const int OutgoingChunkSize = 4096;

    private const int HandshakeBytesReceived = RtmpHandshake.S0S1S2Size;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly RtmpChunkReader _chunks = new();
    private int _reading;
    private int _readSideReleased;
    private volatile bool _disposed;
    private long _bytesReceived;

    private RtmpClient(Socket socket, RtmpEndpoint endpoint)
    {
        _socket = socket;
        Endpoint = endpoint;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(
            bufferSize: 32 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
    }

    public RtmpEndpoint Endpoint { get; }

    /// <summary>Which handshake the server answered with (digest only if asked for and the server signs).</summary>
    public HandshakeKind Handshake { get; private set; }

    /// <summary>The message stream id from <c>createStream</c>; 0 until then.</summary>
    public uint StreamId { get; private set; }

    /// <summary>The code of the last <c>onStatus</c> (or <c>_error</c>) received, e.g. <c>NetStream.Play.Start</c>.</summary>
    public string? LastStatusCode { get; private set; }

    public string? LastStatusDescription { get; private set; }

    /// <summary>Bytes received so far (handshake and complete chunks), the count acknowledgements report.</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Connects to <paramref name="rtmpUrl"/> (<c>rtmp://host[:port]/app/stream[?query]</c>).</summary>
    public static Task<RtmpClient> ConnectAsync(string rtmpUrl, bool digestHandshake = false, CancellationToken cancellationToken = default) =>
        ConnectAsync(RtmpEndpoint.Parse(rtmpUrl), digestHandshake, cancellationToken);

    /// <summary>
    /// Opens a TCP connection, does the handshake, sends SetChunkSize(<see cref="OutgoingChunkSize"/>) and
    /// <c>connect</c>, and waits for its <c>_result</c>; a <c>_error</c> throws <see cref="RtmpStatusException"/>.
    /// </summary>
    public static async Task<RtmpClient> ConnectAsync(RtmpEndpoint endpoint, bool digestHandshake = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RtmpClient? client = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            client = new RtmpClient(socket, endpoint);
            await client.HandshakeAsync(digestHandshake, cancellationToken);
            await client.ConnectAppAsync(cancellationToken);
            return client;
        }
        catch
        {
            client?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes the connection (no goodbye commands) and releases the buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interlocked.MemoryBarrier();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        if (Volatile.Read(ref _reading) == 0)
        {
            ReleaseReadSide();
        }
    }

    private async Task HandshakeAsync(bool digest, CancellationToken cancellationToken)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest, time: 0);
        await SendAsync(c0c1, cancellationToken);

        var s1 = new byte[RtmpHandshake.PacketSize];
        EnterRead();
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(cancellationToken);
                if (TryReadS0S1S2(result.Buffer, s1, out var consumed))
                {
                    _input.AdvanceTo(consumed);
                    Volatile.Write(ref _bytesReceived, HandshakeBytesReceived);
                    break;
                }

                _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    throw new EndOfStreamException("server closed the connection during the handshake");
                }
            }
        }
        finally
        {
            ExitRead();
        }

        var c2 = new byte[RtmpHandshake.PacketSize];
        Handshake = RtmpHandshake.WriteC2(s1, c2, digest);
        await SendAsync(c2, cancellationToken);
    }

    private static bool TryReadS0S1S2(in ReadOnlySequence<byte> buffer, byte[] s1, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var done = RtmpHandshake.TryReadS0S1S2(ref reader, s1);
        consumed = reader.Position;
        return done;
    }

    /// <summary>Claims the read side; one read operation at a time.</summary>
    private void EnterRead()
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("Another read (a command or ReceiveAsync) is already running on this RtmpClient.");
        }

        if (_disposed)
        {
            ExitRead();
            throw new ObjectDisposedException(nameof(RtmpClient));
        }
    }

    private void ExitRead()
    {
        Volatile.Write(ref _reading, 0);
        Interlocked.MemoryBarrier();
        if (_disposed)
        {
            ReleaseReadSide();
        }
    }

    private void ReleaseReadSide()
    {
        if (Interlocked.Exchange(ref _readSideReleased, 1) != 0)
        {
            return;
        }

        _input.Complete();
        _chunks.Dispose();
        while (_early.TryDequeue(out var message))
        {
            message.Dispose();
        }

        _stream.Dispose();
    }
}
