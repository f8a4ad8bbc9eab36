using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using Platform.Streams.Hub;

namespace Platform.Workers.Forward;

/// <summary>The destination answered a command with an error (<c>_error</c>, or an error <c>onStatus</c>).</summary>
public sealed class RtmpRefusedException(string code, string? description)
    : Exception(string.IsNullOrEmpty(description) ? code : $"{code}: {description}")
{
    public string Code { get; } = code;
}

/// <summary>
/// A publishing RTMP client, as ffmpeg and OBS publish: handshake, <c>connect</c>, <c>releaseStream</c>,
/// <c>FCPublish</c>, <c>createStream</c>, <c>publish</c> (live), then audio, video and data messages. After the
/// publish is accepted a read loop answers pings, acknowledges per the server's window and ends
/// <see cref="Closed"/> when the server closes the connection or reports an error. Writes are serialized and
/// each is bounded by a send timeout, so a destination that stops reading fails instead of hanging.
/// </summary>
public sealed class RtmpPushClient : IAsyncDisposable
{
    /// <summary>The chunk size announced and used for everything sent after the handshake.</summary>
    public const int ChunkSize = 4096;

    private const int CommandChunkStream = 3;
    private const int AudioChunkStream = 4;
    private const int StreamCommandChunkStream = 5;
    private const int VideoChunkStream = 6;
    private const int DataChunkStream = 7;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly RtmpChunkReader _chunks = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly TimeSpan _sendTimeout;
    private Task _reading = Task.CompletedTask;
    private double _nextTransaction = 1;
    private uint _windowAckSize;
    private uint? _pendingPong;
    private long _lastAck;
    private long _bytesSent;
    private int _disposed;

    private RtmpPushClient(Socket socket, ForwardDestination destination, TimeSpan sendTimeout)
    {
        _socket = socket;
        Destination = destination;
        _sendTimeout = sendTimeout;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: true));
    }

    public ForwardDestination Destination { get; }

    /// <summary>The message stream id <c>createStream</c> gave.</summary>
    public uint StreamId { get; private set; }

    /// <summary>Bytes written to the connection so far (handshake, commands and media).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Ends when the destination closes the connection or reports an error (faulted with why), or at dispose.</summary>
    public Task Closed => _reading;

    /// <summary>
    /// Connects and publishes; the whole exchange must end within <paramref name="timeout"/>. A refusal throws
    /// <see cref="RtmpRefusedException"/>; a network failure its <see cref="SocketException"/> or <see cref="IOException"/>.
    /// </summary>
    public static async Task<RtmpPushClient> PublishAsync(ForwardDestination destination, TimeSpan timeout, TimeSpan sendTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RtmpPushClient? client = null;
        try
        {
            await socket.ConnectAsync(destination.Host, destination.Port, deadline.Token);
            client = new RtmpPushClient(socket, destination, sendTimeout);
            await client.HandshakeAsync(deadline.Token);
            await client.ConnectAppAsync(deadline.Token);
            await client.PublishStreamAsync(deadline.Token);
            client._reading = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(client, socket);
            throw new TimeoutException($"no publish within {timeout.TotalSeconds:0.#} s");
        }
        catch
        {
            await DisposeAsync(client, socket);
            throw;
        }
    }

    private static async Task DisposeAsync(RtmpPushClient? client, Socket socket)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }
    }

    /// <summary>Appends one audio, video or data message, chunked for this connection, to <paramref name="output"/>.</summary>
    public void AppendMessage(IBufferWriter<byte> output, FrameKind kind, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var chunkStream = kind switch
        {
            FrameKind.Audio => AudioChunkStream,
            FrameKind.Video => VideoChunkStream,
            _ => DataChunkStream,
        };
        RtmpChunkWriter.WriteMessage(output, chunkStream, timestamp, (RtmpMessageType)kind, StreamId, payload, ChunkSize);
    }

    /// <summary>
    /// Appends the stream's metadata as a publisher sends it: <c>@setDataFrame</c> before the <c>onMetaData</c>
    /// the hub keeps (what servers store and hand to their players).
    /// </summary>
    public void AppendMetadata(IBufferWriter<byte> output, uint timestamp, ReadOnlySpan<byte> onMetaData)
    {
        using var payload = new PooledBufferWriter(onMetaData.Length + 16);
        Amf0Writer.WriteString(payload, "@setDataFrame");
        onMetaData.CopyTo(payload.GetSpan(onMetaData.Length));
        payload.Advance(onMetaData.Length);
        AppendMessage(output, FrameKind.Data, timestamp, payload.WrittenSpan);
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
                throw new TimeoutException($"the destination took no data for {_sendTimeout.TotalSeconds:0.#} s");
            }

            Interlocked.Add(ref _bytesSent, bytes.Length);
        }
        finally
        {
            _writeLock.Release();
        }
    }

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
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // How the connection ended was seen through Closed; closing it is all that is left.
        }

        await _input.CompleteAsync();
        _chunks.Dispose();
        await _stream.DisposeAsync();
        _closing.Dispose();
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
                throw new EndOfStreamException("the destination closed the connection during the handshake");
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

    private async Task ConnectAppAsync(CancellationToken cancellationToken)
    {
        var info = new Amf0Object
        {
            { "app", Destination.App },
            { "type", "nonprivate" },
            { "flashVer", "FMLE/3.0 (compatible; Platform forward)" },
            { "tcUrl", Destination.TcUrl },
        };
        var transaction = _nextTransaction++;
        var output = new ArrayBufferWriter<byte>(512);
        RtmpControlMessages.SetChunkSize(output, ChunkSize);
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("connect", transaction, info, []));
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForAsync(c => c.TransactionId == transaction && c.Name is "_result", cancellationToken);
    }

    private async Task PublishStreamAsync(CancellationToken cancellationToken)
    {
        var name = Destination.PublishName;
        var output = new ArrayBufferWriter<byte>(512);
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("releaseStream", _nextTransaction++, null, [name]));
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("FCPublish", _nextTransaction++, null, [name]));
        var create = _nextTransaction++;
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("createStream", create, null, []));
        await SendAsync(output.WrittenMemory, cancellationToken);
        var created = await WaitForAsync(c => c.TransactionId == create && c.Name is "_result", cancellationToken);
        StreamId = created.Arguments.Count > 0 && created.Arguments[0] is double id && id >= 0 ? (uint)id : 1;

        output.ResetWrittenCount();
        AppendCommand(output, StreamCommandChunkStream, StreamId, new RtmpCommand("publish", _nextTransaction++, null, [name, "live"]));
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForAsync(c => c.Name == "onStatus" && StatusOf(c).Code == "NetStream.Publish.Start", cancellationToken);
    }

    /// <summary>Reads until a command <paramref name="isAnswer"/>; an error answer or status throws.</summary>
    private async Task<RtmpCommand> WaitForAsync(Func<RtmpCommand, bool> isAnswer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var found = Scan(result.Buffer, isAnswer, out var consumed);
            _input.AdvanceTo(consumed, found is null ? result.Buffer.End : consumed);
            await FlushAcknowledgementAsync(cancellationToken);
            if (found is not null)
            {
                return found;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("the destination closed the connection before answering");
            }
        }
    }

    private RtmpCommand? Scan(in ReadOnlySequence<byte> buffer, Func<RtmpCommand, bool>? isAnswer, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        RtmpCommand? found = null;
        while (found is null && _chunks.TryReadMessage(ref reader, out var message))
        {
            using (message)
            {
                var command = Handle(message);
                if (command is null)
                {
                    continue;
                }

                var (code, level, description) = StatusOf(command);
                if (command.Name == "_error" || level == "error")
                {
                    throw new RtmpRefusedException(code.Length > 0 ? code : command.Name, description);
                }

                if (isAnswer?.Invoke(command) == true)
                {
                    found = command;
                }
            }
        }

        consumed = reader.Position;
        return found;
    }

    /// <summary>Applies protocol control (pongs are queued for sending); returns the message as a command when it is one.</summary>
    private RtmpCommand? Handle(RtmpMessage message)
    {
        switch (message.Header.Type)
        {
            case RtmpMessageType.WindowAcknowledgementSize:
                _windowAckSize = RtmpControlMessages.ReadUInt32Payload(message.Payload.ReadOnlySpan, RtmpMessageType.WindowAcknowledgementSize);
                return null;
            case RtmpMessageType.UserControl:
                if (RtmpControlMessages.TryParseUserControl(message.Payload.ReadOnlySpan, out var ev) && ev.Type == UserControlEventType.PingRequest)
                {
                    _pendingPong = ev.Value;
                }

                return null;
            case RtmpMessageType.CommandAmf0:
            case RtmpMessageType.CommandAmf3:
                return RtmpCommand.Parse(new ReadOnlySequence<byte>(message.Payload.Memory), amf3: message.Header.Type == RtmpMessageType.CommandAmf3);
            default:
                // SetChunkSize is applied by the chunk reader; the rest (acknowledgements, bandwidth, media) needs nothing.
                return null;
        }
    }

    /// <summary>Sends a pending pong and, once half the server's window came in, an acknowledgement.</summary>
    private async ValueTask FlushAcknowledgementAsync(CancellationToken cancellationToken)
    {
        if (_pendingPong is null && (_windowAckSize == 0 || RtmpHandshake.S0S1S2Size + _chunks.BytesConsumed - _lastAck < _windowAckSize / 2))
        {
            return;
        }

        var output = new ArrayBufferWriter<byte>(32);
        if (_pendingPong is { } ping)
        {
            _pendingPong = null;
            RtmpControlMessages.PingResponse(output, ping, ChunkSize);
        }

        var received = RtmpHandshake.S0S1S2Size + _chunks.BytesConsumed;
        if (_windowAckSize > 0 && received - _lastAck >= _windowAckSize / 2)
        {
            _lastAck = received;
            RtmpControlMessages.Acknowledgement(output, unchecked((uint)received), ChunkSize);
        }

        if (output.WrittenCount > 0)
        {
            await SendAsync(output.WrittenMemory, cancellationToken);
        }
    }

    /// <summary>After the publish: reads what the destination sends until it closes the connection or reports an error.</summary>
    private async Task ReadLoopAsync()
    {
        var token = _closing.Token;
        while (true)
        {
            var result = await _input.ReadAsync(token);
            Scan(result.Buffer, null, out var consumed);
            _input.AdvanceTo(consumed, result.Buffer.End);
            await FlushAcknowledgementAsync(token);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException("the destination closed the connection");
            }
        }
    }

    private static void AppendCommand(IBufferWriter<byte> output, int chunkStream, uint streamId, RtmpCommand command)
    {
        using var payload = new PooledBufferWriter(256);
        command.WriteTo(payload);
        RtmpChunkWriter.WriteMessage(output, chunkStream, 0, RtmpMessageType.CommandAmf0, streamId, payload.WrittenSpan, ChunkSize);
    }

    /// <summary>Code, level and description of a status or result's information object.</summary>
    private static (string Code, string Level, string? Description) StatusOf(RtmpCommand command)
    {
        foreach (var argument in command.Arguments)
        {
            if (argument is Amf0Object info)
            {
                return (info["code"] as string ?? string.Empty, info["level"] as string ?? string.Empty, info["description"] as string);
            }
        }

        return command.CommandObject is Amf0Object obj
            ? (obj["code"] as string ?? string.Empty, obj["level"] as string ?? string.Empty, obj["description"] as string)
            : (string.Empty, string.Empty, null);
    }
}
