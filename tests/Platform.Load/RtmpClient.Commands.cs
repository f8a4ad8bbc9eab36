using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Rtmp;

namespace Platform.Load;

public sealed partial class RtmpClient
{
    public const string PlayStart = "NetStream.Play.Start";
    public const string PublishStart = "NetStream.Publish.Start";

    /// <summary>How long <c>play</c> asks the server to buffer (SetBufferLength), in milliseconds.</summary>
    public uint BufferLengthMs { get; set; } = 3000;

    /// <summary>Sends <c>createStream</c> (if not done yet) and returns the message stream id.</summary>
    public async Task<uint> CreateStreamAsync(CancellationToken cancellationToken = default)
    {
        if (StreamId != 0)
        {
            return StreamId;
        }

        var transactionId = NextTransactionId();
        var output = new ArrayBufferWriter<byte>(128);
        AppendCommand(output, CommandChunkStream, 0, "createStream", transactionId, null);
        await SendAsync(output.WrittenMemory, cancellationToken);
        var answer = await WaitForResultAsync(transactionId, cancellationToken);
        StreamId = answer.Arguments.Count > 0 && answer.Arguments[0] is double id ? (uint)id : 1;
        return StreamId;
    }

    /// <summary>
    /// Plays <see cref="RtmpEndpoint.Stream"/> (live or recorded, start -2) after a <c>createStream</c>, and
    /// waits for <c>NetStream.Play.Start</c>; an error status throws <see cref="RtmpStatusException"/>.
    /// Media that arrives before the status is kept for <see cref="ReceiveAsync"/>.
    /// </summary>
    public async Task PlayAsync(CancellationToken cancellationToken = default)
    {
        var streamId = await CreateStreamAsync(cancellationToken);
        var output = new ArrayBufferWriter<byte>(256);
        AppendCommand(output, StreamCommandChunkStream, streamId, "play", 0, null, Endpoint.Stream, -2.0);
        RtmpControlMessages.SetBufferLength(output, streamId, BufferLengthMs, OutgoingChunkSize);
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForStatusAsync(PlayStart, cancellationToken);
    }

    /// <summary>
    /// Publishes <see cref="RtmpEndpoint.Stream"/> as live the way ffmpeg and OBS do (releaseStream, FCPublish,
    /// createStream, publish) and waits for <c>NetStream.Publish.Start</c>; an error status throws
    /// <see cref="RtmpStatusException"/>.
    /// </summary>
    public async Task PublishAsync(CancellationToken cancellationToken = default)
    {
        var name = Endpoint.Stream;
        var output = new ArrayBufferWriter<byte>(256);
        AppendCommand(output, CommandChunkStream, 0, "releaseStream", NextTransactionId(), null, name);
        AppendCommand(output, CommandChunkStream, 0, "FCPublish", NextTransactionId(), null, name);
        await SendAsync(output.WrittenMemory, cancellationToken);
        var streamId = await CreateStreamAsync(cancellationToken);
        output.ResetWrittenCount();
        AppendCommand(output, StreamCommandChunkStream, streamId, "publish", 0, null, name, "live");
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForStatusAsync(PublishStart, cancellationToken);
    }

    /// <summary>Ends a publication politely (FCUnpublish, deleteStream) without closing the connection.</summary>
    public async Task UnpublishAsync(CancellationToken cancellationToken = default)
    {
        var output = new ArrayBufferWriter<byte>(256);
        AppendCommand(output, CommandChunkStream, 0, "FCUnpublish", NextTransactionId(), null, Endpoint.Stream);
        AppendCommand(output, CommandChunkStream, 0, "deleteStream", NextTransactionId(), null, (double)StreamId);
        await SendAsync(output.WrittenMemory, cancellationToken);
    }

    private async Task ConnectAppAsync(CancellationToken cancellationToken)
    {
        var info = new Amf0Object
        {
            { "app", Endpoint.App },
            { "type", "nonprivate" },
            { "flashVer", "FMLE/3.0 (compatible; Platform.Load)" },
            { "tcUrl", Endpoint.TcUrl },
            { "fpad", false },
            { "capabilities", 15.0 },
            { "audioCodecs", 4071.0 },
            { "videoCodecs", 252.0 },
            { "videoFunction", 1.0 },
        };

        var transactionId = NextTransactionId();
        var output = new ArrayBufferWriter<byte>(512);
        RtmpControlMessages.SetChunkSize(output, OutgoingChunkSize);
        AppendCommand(output, CommandChunkStream, 0, "connect", transactionId, info);
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForResultAsync(transactionId, cancellationToken);
    }

    /// <summary>Waits for the <c>_result</c> of <paramref name="transactionId"/>; its <c>_error</c> throws.</summary>
    private async Task<RtmpCommand> WaitForResultAsync(double transactionId, CancellationToken cancellationToken)
    {
        var answer = await WaitForCommandAsync(
            c => c.TransactionId == transactionId && c.Name is "_result" or "_error", cancellationToken);
        if (answer.Name == "_error")
        {
            var (code, _, description) = StatusOf(answer);
            throw new RtmpStatusException(code.Length > 0 ? code : "_error", description);
        }

        return answer;
    }

    /// <summary>Waits for an <c>onStatus</c> with <paramref name="code"/>; an error status throws.</summary>
    private async Task WaitForStatusAsync(string code, CancellationToken cancellationToken)
    {
        var answer = await WaitForCommandAsync(c => IsAnswerTo(c, code), cancellationToken);
        var (answerCode, _, description) = StatusOf(answer);
        if (answerCode != code)
        {
            throw new RtmpStatusException(answerCode.Length > 0 ? answerCode : answer.Name, description);
        }
    }

    private static bool IsAnswerTo(RtmpCommand command, string code)
    {
        if (command.Name == "_error")
        {
            return true;
        }

        if (command.Name != "onStatus")
        {
            return false;
        }

        var (statusCode, level, _) = StatusOf(command);
        return statusCode == code || IsErrorStatus(statusCode, level);
    }

    /// <summary>An error level, or a code that means refusal (as rtmpload judges them).</summary>
    public static bool IsErrorStatus(string code, string level) =>
        level == "error"
        || code.Contains("Failed", StringComparison.Ordinal)
        || code.Contains("NotFound", StringComparison.Ordinal)
        || code.Contains("Rejected", StringComparison.Ordinal)
        || code.Contains("BadName", StringComparison.Ordinal)
        || code.Contains("Unauthorized", StringComparison.Ordinal);

    /// <summary>Code, level and description of the first information object of a status or result.</summary>
    internal static (string Code, string Level, string? Description) StatusOf(RtmpCommand command)
    {
        for (var i = 0; i < command.Arguments.Count; i++)
        {
            if (command.Arguments[i] is Amf0Object info)
            {
                return (info["code"] as string ?? string.Empty, info["level"] as string ?? string.Empty, info["description"] as string);
            }
        }

        return command.CommandObject is Amf0Object obj
            ? (obj["code"] as string ?? string.Empty, obj["level"] as string ?? string.Empty, obj["description"] as string)
            : (string.Empty, string.Empty, null);
    }

    /// <summary>Remembers the last status the server reported.</summary>
    private void Observe(RtmpCommand command)
    {
        if (command.Name is "onStatus" or "_error")
        {
            var (code, _, description) = StatusOf(command);
            LastStatusCode = code.Length > 0 ? code : command.Name;
            LastStatusDescription = description;
        }
    }
}
