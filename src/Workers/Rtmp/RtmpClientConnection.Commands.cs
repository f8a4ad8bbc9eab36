using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;

namespace Platform.Workers.Rtmp;

public sealed partial class RtmpClientConnection
{
    /// <summary>The chunk stream of the connection's commands (<c>connect</c>, <c>createStream</c>, ...).</summary>
    public const int CommandChunkStream = 3;

    /// <summary>The chunk stream of the message stream's commands (<c>publish</c>, <c>play</c>).</summary>
    public const int StreamCommandChunkStream = 5;

    private double _nextTransaction = 1;

    /// <summary>The next command's transaction id.</summary>
    public double NextTransactionId() => _nextTransaction++;

    /// <summary>Appends <paramref name="command"/> (AMF0), chunked for this connection, to <paramref name="output"/>.</summary>
    public static void AppendCommand(IBufferWriter<byte> output, int chunkStream, uint streamId, RtmpCommand command)
    {
        using var payload = new PooledBufferWriter(256);
        command.WriteTo(payload);
        RtmpChunkWriter.WriteMessage(output, chunkStream, 0, RtmpMessageType.CommandAmf0, streamId, payload.WrittenSpan, ChunkSize);
    }

    /// <summary>
    /// Announces <see cref="ChunkSize"/>, sends <c>connect</c> with <paramref name="info"/> (app, tcUrl, flashVer, ...)
    /// and waits for its <c>_result</c>; an error answer throws <see cref="RtmpRefusedException"/>.
    /// </summary>
    public async Task ConnectAppAsync(Amf0Object info, CancellationToken cancellationToken)
    {
        var transaction = NextTransactionId();
        var output = new ArrayBufferWriter<byte>(512);
        RtmpControlMessages.SetChunkSize(output, ChunkSize);
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("connect", transaction, info, []));
        await SendAsync(output.WrittenMemory, cancellationToken);
        await WaitForAsync(c => c.TransactionId == transaction && c.Name is "_result", cancellationToken);
    }

    /// <summary>
    /// Appends <c>createStream</c> to what <paramref name="output"/> holds (e.g. <c>releaseStream</c>), sends it all and
    /// returns the message stream id the <c>_result</c> gives (1 when it gives none).
    /// </summary>
    public async Task<uint> CreateStreamAsync(ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var create = NextTransactionId();
        AppendCommand(output, CommandChunkStream, 0, new RtmpCommand("createStream", create, null, []));
        await SendAsync(output.WrittenMemory, cancellationToken);
        var created = await WaitForAsync(c => c.TransactionId == create && c.Name is "_result", cancellationToken);
        return created.Arguments.Count > 0 && created.Arguments[0] is double id && id is >= 0 and <= uint.MaxValue ? (uint)id : 1;
    }

    /// <summary>
    /// Reads until a command <paramref name="isAnswer"/>; an error answer or status throws
    /// <see cref="RtmpRefusedException"/>, and other messages are dropped.
    /// </summary>
    public async Task<RtmpCommand> WaitForAsync(Func<RtmpCommand, bool> isAnswer, CancellationToken cancellationToken)
    {
        RtmpCommand? found = null;
        bool Handle(RtmpMessage message)
        {
            if (CommandOf(message) is not { } command)
            {
                return false;
            }

            ThrowIfRefused(command);
            found = isAnswer(command) ? command : null;
            return found is not null;
        }

        while (found is null)
        {
            if (!await ReadAsync(Handle, cancellationToken) && found is null)
            {
                throw new EndOfStreamException($"{_peer} closed the connection before answering");
            }
        }

        return found;
    }

    /// <summary>The message as a command (AMF0, or AMF3 type 17) when it is one, else null.</summary>
    public static RtmpCommand? CommandOf(RtmpMessage message) =>
        message.Header.Type is RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3
            ? RtmpCommand.Parse(new ReadOnlySequence<byte>(message.Payload.Memory), amf3: message.Header.Type == RtmpMessageType.CommandAmf3)
            : null;

    /// <summary>Throws <see cref="RtmpRefusedException"/> when <paramref name="command"/> is <c>_error</c> or an error status.</summary>
    public static void ThrowIfRefused(RtmpCommand command)
    {
        var (code, level, description) = StatusOf(command);
        if (command.Name == "_error" || level == "error")
        {
            throw new RtmpRefusedException(code.Length > 0 ? code : command.Name, description);
        }
    }

    /// <summary>Code, level and description of a status or result's information object.</summary>
    public static (string Code, string Level, string? Description) StatusOf(RtmpCommand command)
    {
        foreach (var argument in command.Arguments)
        {
            if (argument is Amf0Object info)
            {
                return Fields(info);
            }
        }

        return command.CommandObject is Amf0Object obj ? Fields(obj) : (string.Empty, string.Empty, null);

        static (string, string, string?) Fields(Amf0Object info) =>
            (info["code"] as string ?? string.Empty, info["level"] as string ?? string.Empty, info["description"] as string);
    }
}
