using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Flv;
using Platform.Media.Rtmp;
using Platform.Streams.Hub;
using Platform.Workers.Forward;
using Platform.Workers.Rtmp;

namespace Platform.Sources.Pull;

/// <summary>
/// Plays one RTMP stream as ffmpeg does: handshake, <c>connect</c> (the app is the path up to its last slash,
/// flashVer like ffmpeg's), <c>createStream</c>, <c>play</c> (the last segment with the query, live) and a buffer
/// length; then hands on every audio, video and <c>onMetaData</c> message (aggregates split) until the server ends
/// the play or the connection. The connection (acknowledgements, pings, the server's chunk size, bounded
/// messages) is the platform's shared <see cref="RtmpClientConnection"/>.
/// </summary>
internal sealed class RtmpPuller
{
    /// <summary>What ffmpeg announces when it plays.</summary>
    public const string FlashVersion = "LNX 9,0,124,2";

    /// <summary>The buffer length the server is told, in milliseconds (ffmpeg's default).</summary>
    private const uint BufferLengthMs = 3000;

    private readonly PullSession _session;
    private readonly RtmpMessageHandler _onMessage;
    private string? _ended;

    private RtmpPuller(PullSession session)
    {
        _session = session;
        _onMessage = OnMessage;
    }

    public static async Task RunAsync(Uri url, PullSession session, PullOptions options, CancellationToken cancellationToken)
    {
        var source = ForwardDestination.TryParse(url.OriginalString, out var problem)
            ?? throw new ArgumentException($"not an RTMP source: {problem}", nameof(url));
        var puller = new RtmpPuller(session);
        var connection = await puller.ConnectAsync(source, options, cancellationToken);
        try
        {
            await puller.ReceiveAsync(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Everything up to <c>play</c>, within the connect timeout; a not-found refusal is <see cref="SourceNotFoundException"/>.</summary>
    private async Task<RtmpClientConnection> ConnectAsync(ForwardDestination source, PullOptions options, CancellationToken cancellationToken)
    {
        var limits = new RtmpChunkReaderOptions { MaxMessageLength = Math.Min(options.MaxMessageLength, RtmpChunkProtocol.MaxMessageLength) };
        try
        {
            return await RtmpClientConnection.EstablishAsync(
                source.Host, source.Port, "the source", limits, options.ConnectTimeout, options.ConnectTimeout,
                (connection, token) => PlayAsync(connection, source, token),
                $"{_session.Source}: no answer to connect, createStream and play within {options.ConnectTimeout.TotalSeconds:0.#} s",
                cancellationToken);
        }
        catch (RtmpRefusedException refused) when (IsNotFound(refused.Code))
        {
            throw new SourceNotFoundException($"{_session.Source}: {refused.Message}");
        }
    }

    /// <summary><c>connect</c> as ffmpeg plays, <c>createStream</c>, <c>play</c> (live) and the buffer length.</summary>
    private async Task PlayAsync(RtmpClientConnection connection, ForwardDestination source, CancellationToken cancellationToken)
    {
        await connection.ConnectAppAsync(
            new Amf0Object
            {
                { "app", source.App },
                { "flashVer", FlashVersion },
                { "tcUrl", source.TcUrl },
                { "fpad", false },
                { "capabilities", 15.0 },
                { "audioCodecs", 4071.0 },
                { "videoCodecs", 252.0 },
                { "videoFunction", 1.0 },
            },
            cancellationToken);
        var output = new ArrayBufferWriter<byte>(256);
        var streamId = await connection.CreateStreamAsync(output, cancellationToken);
        output.ResetWrittenCount();
        var play = new RtmpCommand("play", connection.NextTransactionId(), null, [source.PublishName, -2.0]);
        RtmpClientConnection.AppendCommand(output, RtmpClientConnection.StreamCommandChunkStream, streamId, play);
        RtmpControlMessages.SetBufferLength(output, streamId, BufferLengthMs, RtmpClientConnection.ChunkSize);
        await connection.SendAsync(output.WrittenMemory, cancellationToken);
        _session.Received(connection.BytesReceived);
    }

    /// <summary>Reads until the server ends the play or the connection; a silence of the stall timeout throws.</summary>
    private async Task ReceiveAsync(RtmpClientConnection connection)
    {
        _session.Start();
        var counted = connection.BytesReceived;
        while (true)
        {
            bool open;
            try
            {
                open = await connection.ReadAsync(_onMessage, _session.ReadToken());
            }
            catch (OperationCanceledException) when (_session.Stalled)
            {
                throw _session.StallError();
            }
            finally
            {
                var received = connection.BytesReceived;
                _session.Received(received - counted);
                counted = received;
            }

            if (_ended is not null)
            {
                _session.Ended($"the source ended the play ({_ended})");
                return;
            }

            if (!open)
            {
                _session.Ended("the source closed the connection");
                return;
            }
        }
    }

    /// <summary>One message: media handed on, commands watched for the end of the play; true stops the read there.</summary>
    private bool OnMessage(RtmpMessage message)
    {
        var header = message.Header;
        switch (header.Type)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
                if (header.Length > 0)
                {
                    _session.Deliver((FrameKind)header.Type, header.Timestamp, message.Payload.AddRef());
                }

                return false;
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
                var start = header.Type == RtmpMessageType.DataAmf3 && header.Length > 0 && message.Payload.ReadOnlySpan[0] == 0 ? 1 : 0;
                _session.DeliverMetadata(header.Timestamp, message.Payload.AddRef(), start);
                return false;
            case RtmpMessageType.Aggregate:
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(message.Payload.Memory));
                uint? first = null;
                while (RtmpAggregate.TryReadNext(ref reader, header.Timestamp, ref first, out var sub))
                {
                    _session.DeliverTag(sub.Type, sub.Timestamp, sub.Payload);
                }

                return false;
            default:
                return RtmpClientConnection.CommandOf(message) is { } command && OnCommand(command);
        }
    }

    /// <summary>True when <paramref name="command"/> ends the play; an error throws.</summary>
    private bool OnCommand(RtmpCommand command)
    {
        var (code, level, description) = RtmpClientConnection.StatusOf(command);
        switch (code)
        {
            case "NetStream.Play.Stop":
            case "NetStream.Play.Complete":
            case "NetStream.Play.UnpublishNotify":
            case "NetStream.Play.StreamNotFound" when _session.MediaFlowed:
                // This platform says StreamNotFound when a publisher that left is not back within its wait.
                _ended = code;
                return true;
        }

        if (command.Name != "_error" && level != "error" && !IsNotFound(code))
        {
            return false;
        }

        var refused = new RtmpRefusedException(code.Length > 0 ? code : command.Name, description);
        throw IsNotFound(refused.Code) ? new SourceNotFoundException($"{_session.Source}: {refused.Message}") : refused;
    }

    /// <summary>A not-found or rejected code means the stream is not there (another error is a refusal).</summary>
    private static bool IsNotFound(string code) =>
        code.Contains("NotFound", StringComparison.Ordinal) || code.Contains("Rejected", StringComparison.Ordinal) || code.Contains("BadName", StringComparison.Ordinal);
}
