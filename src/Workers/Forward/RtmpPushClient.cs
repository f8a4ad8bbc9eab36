using System.Buffers;
using System.Net.Sockets;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using Platform.Streams.Hub;
using Platform.Workers.Rtmp;

namespace Platform.Workers.Forward;

/// <summary>
/// A publishing RTMP client, as ffmpeg and OBS publish: handshake, <c>connect</c>, <c>releaseStream</c>,
/// <c>FCPublish</c>, <c>createStream</c>, <c>publish</c> (live), then audio, video and data messages. After the
/// publish is accepted a read loop answers pings, acknowledges per the server's window and ends
/// <see cref="Closed"/> when the server closes the connection or reports an error. Writes are serialized and
/// each is bounded by a send timeout, so a destination that stops reading fails instead of hanging. The
/// connection itself is the shared <see cref="RtmpClientConnection"/>.
/// </summary>
public sealed class RtmpPushClient : IAsyncDisposable
{
    /// <summary>The chunk size announced and used for everything sent after the handshake.</summary>
    public const int ChunkSize = RtmpClientConnection.ChunkSize;

    private const int AudioChunkStream = 4;
    private const int VideoChunkStream = 6;
    private const int DataChunkStream = 7;

    private readonly RtmpClientConnection _connection;
    private readonly CancellationTokenSource _closing = new();
    private Task _reading = Task.CompletedTask;
    private int _disposed;

    private RtmpPushClient(RtmpClientConnection connection, ForwardDestination destination)
    {
        _connection = connection;
        Destination = destination;
    }

    public ForwardDestination Destination { get; }

    /// <summary>The message stream id <c>createStream</c> gave.</summary>
    public uint StreamId { get; private set; }

    /// <summary>Bytes written to the connection so far (handshake, commands and media).</summary>
    public long BytesSent => _connection.BytesSent;

    /// <summary>Ends when the destination closes the connection or reports an error (faulted with why), or at dispose.</summary>
    public Task Closed => _reading;

    /// <summary>
    /// Connects and publishes; the whole exchange must end within <paramref name="timeout"/>. A refusal throws
    /// <see cref="RtmpRefusedException"/>; a network failure its <see cref="SocketException"/> or <see cref="IOException"/>.
    /// </summary>
    public static async Task<RtmpPushClient> PublishAsync(ForwardDestination destination, TimeSpan timeout, TimeSpan sendTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RtmpPushClient? client = null;
        await RtmpClientConnection.EstablishAsync(
            destination.Host, destination.Port, "the destination", new RtmpChunkReaderOptions(), timeout, sendTimeout,
            async (connection, token) =>
            {
                client = new RtmpPushClient(connection, destination);
                await client.ConnectAppAsync(token);
                await client.PublishStreamAsync(token);
            },
            $"no publish within {timeout.TotalSeconds:0.#} s",
            cancellationToken);
        client!._reading = Task.Run(client.ReadLoopAsync, CancellationToken.None);
        return client;
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
    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _connection.SendAsync(bytes, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync();
        await _connection.DisposeAsync();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // How the connection ended was seen through Closed; closing it is all that is left.
        }

        _closing.Dispose();
    }

    private Task ConnectAppAsync(CancellationToken cancellationToken) =>
        _connection.ConnectAppAsync(
            new Amf0Object
            {
                { "app", Destination.App },
                { "type", "nonprivate" },
                { "flashVer", "FMLE/3.0 (compatible; Platform forward)" },
                { "tcUrl", Destination.TcUrl },
            },
            cancellationToken);

    private async Task PublishStreamAsync(CancellationToken cancellationToken)
    {
        var name = Destination.PublishName;
        var output = new ArrayBufferWriter<byte>(512);
        RtmpClientConnection.AppendCommand(output, RtmpClientConnection.CommandChunkStream, 0, new RtmpCommand("releaseStream", _connection.NextTransactionId(), null, [name]));
        RtmpClientConnection.AppendCommand(output, RtmpClientConnection.CommandChunkStream, 0, new RtmpCommand("FCPublish", _connection.NextTransactionId(), null, [name]));
        StreamId = await _connection.CreateStreamAsync(output, cancellationToken);

        output.ResetWrittenCount();
        RtmpClientConnection.AppendCommand(output, RtmpClientConnection.StreamCommandChunkStream, StreamId, new RtmpCommand("publish", _connection.NextTransactionId(), null, [name, "live"]));
        await SendAsync(output.WrittenMemory, cancellationToken);
        await _connection.WaitForAsync(c => c.Name == "onStatus" && RtmpClientConnection.StatusOf(c).Code == "NetStream.Publish.Start", cancellationToken);
    }

    /// <summary>After the publish: reads what the destination sends until it closes the connection or reports an error.</summary>
    private async Task ReadLoopAsync()
    {
        var token = _closing.Token;
        RtmpMessageHandler onMessage = static message =>
        {
            if (RtmpClientConnection.CommandOf(message) is { } command)
            {
                RtmpClientConnection.ThrowIfRefused(command);
            }

            return false;
        };
        while (await _connection.ReadAsync(onMessage, token))
        {
        }

        throw new EndOfStreamException("the destination closed the connection");
    }
}
