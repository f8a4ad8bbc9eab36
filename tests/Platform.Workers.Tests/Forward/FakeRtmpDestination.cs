using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Platform.Media.Amf0;
using Platform.Media.Rtmp;

namespace Platform.Workers.Tests.Forward;

/// <summary>
/// A minimal RTMP server that takes publishes: it answers connect, createStream and publish, and records every
/// audio, video and data message of each connection. It can refuse the publish, close a connection after some
/// messages, or stop reading once the publish started (a stalled destination).
/// </summary>
public sealed class FakeRtmpDestination : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    public FakeRtmpDestination()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public sealed record Message(RtmpMessageType Type, uint Timestamp, byte[] Payload);

    public sealed class Connection
    {
        public ConcurrentQueue<Message> Media { get; } = new();

        public string App { get; set; } = string.Empty;

        public string TcUrl { get; set; } = string.Empty;

        public string Published { get; set; } = string.Empty;

        public Message[] Snapshot() => [.. Media];
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<Connection> Connections { get; } = new();

    /// <summary>Answer publish with this error code instead of NetStream.Publish.Start.</summary>
    public string? RefuseWith { get; set; }

    /// <summary>Close each connection after this many media messages (0: never).</summary>
    public int CloseAfter { get; set; }

    /// <summary>Stop reading once the publish started.</summary>
    public bool Stall { get; set; }

    public string Url(string path) => $"rtmp://127.0.0.1:{Port}/{path}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await Task.WhenAll(_connections.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            var connection = new Connection();
            Connections.Enqueue(connection);
            lock (_connections)
            {
                _connections.Add(Task.Run(() => ServeAsync(socket, connection)));
            }
        }
    }

    private async Task ServeAsync(Socket socket, Connection connection)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var input = PipeReader.Create(stream);
        using var chunks = new RtmpChunkReader();
        var token = _stop.Token;
        try
        {
            await HandshakeAsync(input, stream, token);
            var media = 0;
            while (!token.IsCancellationRequested)
            {
                var result = await input.ReadAsync(token);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                var replies = new ArrayBufferWriter<byte>();
                var stall = false;
                var close = false;
                while (chunks.TryReadMessage(ref reader, out var message))
                {
                    using (message)
                    {
                        var header = message.Header;
                        if (header.Type is RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.DataAmf0)
                        {
                            connection.Media.Enqueue(new Message(header.Type, header.Timestamp, message.Payload.ReadOnlySpan.ToArray()));
                            close |= CloseAfter > 0 && ++media >= CloseAfter;
                        }
                        else if (header.Type == RtmpMessageType.CommandAmf0)
                        {
                            var command = RtmpCommand.Parse(new ReadOnlySequence<byte>(message.Payload.ReadOnlySpan.ToArray()));
                            stall |= Answer(command, header.MessageStreamId, connection, replies);
                        }
                    }
                }

                input.AdvanceTo(reader.Position, buffer.End);
                if (replies.WrittenCount > 0)
                {
                    await stream.WriteAsync(replies.WrittenMemory, token);
                }

                if (close || result.IsCompleted)
                {
                    return;
                }

                if (stall && Stall)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>Answers a command; true once the publish started.</summary>
    private bool Answer(RtmpCommand command, uint streamId, Connection connection, ArrayBufferWriter<byte> replies)
    {
        switch (command.Name)
        {
            case "connect":
                var info = (Amf0Object)command.CommandObject!;
                connection.App = info["app"] as string ?? string.Empty;
                connection.TcUrl = info["tcUrl"] as string ?? string.Empty;
                RtmpControlMessages.WindowAcknowledgementSize(replies, 2_500_000);
                Reply(replies, 0, new RtmpCommand("_result", command.TransactionId, new Amf0Object { { "fmsVer", "FMS/3,0,1,123" } }, [Status("status", "NetConnection.Connect.Success")]));
                return false;
            case "createStream":
                Reply(replies, 0, new RtmpCommand("_result", command.TransactionId, null, [1.0]));
                return false;
            case "publish":
                connection.Published = command.Arguments[0] as string ?? string.Empty;
                Reply(replies, streamId, new RtmpCommand("onStatus", 0, null, [RefuseWith is { } code ? Status("error", code) : Status("status", "NetStream.Publish.Start")]));
                return RefuseWith is null;
            default:
                return false;
        }
    }

    private static Amf0Object Status(string level, string code) => new() { { "level", level }, { "code", code }, { "description", code } };

    private static void Reply(ArrayBufferWriter<byte> output, uint streamId, RtmpCommand command)
    {
        var payload = new ArrayBufferWriter<byte>();
        command.WriteTo(payload);
        RtmpChunkWriter.WriteMessage(output, 3, 0, RtmpMessageType.CommandAmf0, streamId, payload.WrittenSpan, RtmpChunkProtocol.DefaultChunkSize);
    }

    private static async Task HandshakeAsync(PipeReader input, NetworkStream stream, CancellationToken token)
    {
        var c1 = new byte[RtmpHandshake.PacketSize];
        while (true)
        {
            var result = await input.ReadAsync(token);
            if (TryReadC0C1(result.Buffer, c1, out var consumed))
            {
                input.AdvanceTo(consumed);
                break;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("closed in the handshake");
            }
        }

        var s0s1s2 = new byte[RtmpHandshake.S0S1S2Size];
        RtmpHandshake.WriteS0S1S2(c1, s0s1s2, 0);
        await stream.WriteAsync(s0s1s2, token);
        while (true)
        {
            var result = await input.ReadAsync(token);
            if (TryReadC2(result.Buffer, out var consumed))
            {
                input.AdvanceTo(consumed);
                return;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("closed in the handshake");
            }
        }
    }

    private static bool TryReadC0C1(in ReadOnlySequence<byte> buffer, byte[] c1, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var done = RtmpHandshake.TryReadC0C1(ref reader, out _, c1);
        consumed = reader.Position;
        return done;
    }

    private static bool TryReadC2(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var done = RtmpHandshake.TryReadC2(ref reader);
        consumed = reader.Position;
        return done;
    }
}
