using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Platform.Media.Amf0;
using Platform.Media.Rtmp;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>
/// A minimal RTMP server that serves players: it answers <c>connect</c> (announcing a window, a peer bandwidth and
/// its own chunk size) and <c>createStream</c>, and on <c>play</c> runs the test's script with a <see cref="Player"/>
/// that sends what the test wants. The connection closes when the script returns. It records what the client
/// sent: the connect object, the play name, acknowledgements, pongs, the buffer length.
/// </summary>
public sealed class FakeRtmpSource(Func<FakeRtmpSource.Player, CancellationToken, Task> onPlay) : LoopbackServer
{
    /// <summary>The chunk size the server announces and sends with.</summary>
    public int ChunkSize { get; init; } = 256;

    /// <summary>The acknowledgement window announced at connect.</summary>
    public uint Window { get; init; } = 2_500_000;

    /// <summary>Answer connect with <c>_error</c> and this code.</summary>
    public string? RefuseConnect { get; init; }

    /// <summary>Never answer the handshake.</summary>
    public bool Mute { get; init; }

    public ConcurrentQueue<Player> Players { get; } = new();

    public Uri Url(string path) => new($"rtmp://127.0.0.1:{Port}/{path}");

    public sealed class Player(FakeRtmpSource server, Stream stream)
    {
        private readonly SemaphoreSlim _write = new(1, 1);

        public Amf0Object Connect { get; set; } = [];

        public string PlayName { get; set; } = string.Empty;

        public uint StreamId => 1;

        public int Acknowledgements;

        public int Pongs;

        public uint BufferLength;

        /// <summary>Sends one message on the player's message stream (media on 6, data and status on 5).</summary>
        public Task SendAsync(RtmpMessageType type, uint timestamp, byte[] payload, uint? streamId = null)
        {
            var output = new ArrayBufferWriter<byte>();
            var chunkStream = type is RtmpMessageType.Audio or RtmpMessageType.Video or RtmpMessageType.Aggregate ? 6 : 5;
            RtmpChunkWriter.WriteMessage(output, chunkStream, timestamp, type, streamId ?? StreamId, payload, server.ChunkSize);
            return RawAsync(output.WrittenSpan.ToArray());
        }

        public Task StatusAsync(string level, string code) => SendAsync(RtmpMessageType.CommandAmf0, 0, Command(new RtmpCommand("onStatus", 0, null, [Status(level, code)])));

        public Task DataAsync(params object?[] values)
        {
            var payload = new ArrayBufferWriter<byte>();
            foreach (var value in values)
            {
                Amf0Writer.WriteValue(payload, value);
            }

            return SendAsync(RtmpMessageType.DataAmf0, 0, payload.WrittenSpan.ToArray());
        }

        public Task PingAsync(uint value)
        {
            var output = new ArrayBufferWriter<byte>();
            RtmpControlMessages.PingRequest(output, value, server.ChunkSize);
            return RawAsync(output.WrittenSpan.ToArray());
        }

        public async Task RawAsync(byte[] bytes)
        {
            await _write.WaitAsync();
            try
            {
                await stream.WriteAsync(bytes);
            }
            finally
            {
                _write.Release();
            }
        }
    }

    public static Amf0Object Status(string level, string code) => new() { { "level", level }, { "code", code }, { "description", $"{code} (test)" } };

    public static byte[] Command(RtmpCommand command)
    {
        var payload = new ArrayBufferWriter<byte>();
        command.WriteTo(payload);
        return payload.WrittenSpan.ToArray();
    }

    protected override async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var input = PipeReader.Create(stream);
        using var chunks = new RtmpChunkReader();
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var player = new Player(this, stream);
        Task? playing = null;
        try
        {
            if (Mute)
            {
                await Task.Delay(Timeout.Infinite, end.Token);
            }

            await HandshakeAsync(input, stream, end.Token);
            while (!end.IsCancellationRequested)
            {
                var result = await input.ReadAsync(end.Token);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                var replies = new ArrayBufferWriter<byte>();
                var play = false;
                while (chunks.TryReadMessage(ref reader, out var message))
                {
                    using (message)
                    {
                        play |= Handle(message, player, replies);
                    }
                }

                input.AdvanceTo(reader.Position, buffer.End);
                if (replies.WrittenCount > 0)
                {
                    await player.RawAsync(replies.WrittenSpan.ToArray());
                }

                if (play && playing is null)
                {
                    Players.Enqueue(player);
                    playing = Task.Run(async () =>
                    {
                        try
                        {
                            await onPlay(player, end.Token);
                        }
                        finally
                        {
                            // The script is over: close the connection (the read loop ends with it).
                            await end.CancelAsync();
                        }
                    }, CancellationToken.None);
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            await end.CancelAsync();
            if (playing is not null)
            {
                await playing.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            socket.Shutdown(SocketShutdown.Both);
            await input.CompleteAsync();
        }
    }

    /// <summary>Answers a command or records a control message; true at <c>play</c>.</summary>
    private bool Handle(RtmpMessage message, Player player, ArrayBufferWriter<byte> replies)
    {
        switch (message.Header.Type)
        {
            case RtmpMessageType.Acknowledgement:
                Interlocked.Increment(ref player.Acknowledgements);
                return false;
            case RtmpMessageType.UserControl:
                if (RtmpControlMessages.TryParseUserControl(message.Payload.ReadOnlySpan, out var ev))
                {
                    if (ev.Type == UserControlEventType.PingResponse)
                    {
                        Interlocked.Increment(ref player.Pongs);
                    }
                    else if (ev.Type == UserControlEventType.SetBufferLength)
                    {
                        player.BufferLength = ev.Value2;
                    }
                }

                return false;
            case RtmpMessageType.CommandAmf0:
                break;
            default:
                return false;
        }

        var command = RtmpCommand.Parse(new ReadOnlySequence<byte>(message.Payload.ReadOnlySpan.ToArray()));
        switch (command.Name)
        {
            case "connect":
                player.Connect = (Amf0Object)command.CommandObject!;
                RtmpControlMessages.SetChunkSize(replies, ChunkSize);
                if (RefuseConnect is { } code)
                {
                    Reply(replies, 0, new RtmpCommand("_error", command.TransactionId, null, [Status("error", code)]));
                    return false;
                }

                RtmpControlMessages.WindowAcknowledgementSize(replies, Window, ChunkSize);
                RtmpControlMessages.SetPeerBandwidth(replies, Window, RtmpControlMessages.LimitTypeDynamic, ChunkSize);
                Reply(replies, 0, new RtmpCommand("_result", command.TransactionId, new Amf0Object { { "fmsVer", "FMS/3,0,1,123" } }, [Status("status", "NetConnection.Connect.Success")]));
                return false;
            case "createStream":
                Reply(replies, 0, new RtmpCommand("_result", command.TransactionId, null, [(double)player.StreamId]));
                return false;
            case "play":
                player.PlayName = command.Arguments[0] as string ?? string.Empty;
                return true;
            default:
                return false;
        }
    }

    private void Reply(ArrayBufferWriter<byte> output, uint streamId, RtmpCommand command) =>
        RtmpChunkWriter.WriteMessage(output, 3, 0, RtmpMessageType.CommandAmf0, streamId, Command(command), ChunkSize);

    private delegate bool TryRead(ref SequenceReader<byte> reader);

    private static async Task HandshakeAsync(PipeReader input, NetworkStream stream, CancellationToken token)
    {
        var c1 = new byte[RtmpHandshake.PacketSize];
        await ReadAsync(input, (ref SequenceReader<byte> r) => RtmpHandshake.TryReadC0C1(ref r, out _, c1), token);
        var s0s1s2 = new byte[RtmpHandshake.S0S1S2Size];
        RtmpHandshake.WriteS0S1S2(c1, s0s1s2, 0);
        await stream.WriteAsync(s0s1s2, token);
        await ReadAsync(input, (ref SequenceReader<byte> r) => RtmpHandshake.TryReadC2(ref r), token);
    }

    /// <summary>Reads until <paramref name="tryRead"/> takes a whole message (Kestrel style: nothing consumed until then).</summary>
    private static async Task ReadAsync(PipeReader input, TryRead tryRead, CancellationToken token)
    {
        while (true)
        {
            var result = await input.ReadAsync(token);
            var reader = new SequenceReader<byte>(result.Buffer);
            if (tryRead(ref reader))
            {
                input.AdvanceTo(reader.Position);
                return;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException("closed in the handshake");
            }
        }
    }
}
