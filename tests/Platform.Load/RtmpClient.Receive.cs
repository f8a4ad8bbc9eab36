using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Platform.Media.Amf0;
using Platform.Media.Flv;
using Platform.Media.Rtmp;

namespace Platform.Load;

public sealed partial class RtmpClient
{
    /// <summary>Messages kept while waiting for a command's answer, at most.</summary>
    private const int MaxEarlyMessages = 4096;

    private readonly Queue<RtmpMessage> _early = new();
    private readonly ArrayBufferWriter<byte> _controlOut = new(64);
    private uint _windowAckSize;
    private long _lastAckSent;

    /// <summary>
    /// Delivers every message the server sends, in order, until <paramref name="onMessage"/> returns false
    /// (then returns) or the server closes the connection (<see cref="EndOfStreamException"/>). Protocol
    /// control is handled here and not delivered: acknowledgements are sent per the server's window, pings
    /// are answered. Aggregate messages are delivered as their audio/video/data sub-messages. The payload is
    /// only valid during the callback. Commands are delivered too (and <c>onStatus</c> sets
    /// <see cref="LastStatusCode"/>). Messages that arrived while a command waited are delivered first.
    /// </summary>
    public async Task ReceiveAsync(Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage, CancellationToken cancellationToken = default)
    {
        while (await ReceiveOnceAsync(onMessage, cancellationToken))
        {
        }
    }

    /// <summary>
    /// One step of <see cref="ReceiveAsync"/>: waits for data (unless messages are already waiting), delivers
    /// the complete messages it holds and returns true, or false as soon as <paramref name="onMessage"/>
    /// returns false. For callers that pace their reads (e.g. one read per player per tick).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReceiveOnceAsync(Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        EnterRead();
        try
        {
            if (_early.Count > 0)
            {
                return DeliverEarly(onMessage);
            }

            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var more = DeliverAll(buffer, onMessage, out var consumed);
            _input.AdvanceTo(consumed, more ? buffer.End : consumed);
            await FlushControlAsync(cancellationToken);
            if (more && result.IsCompleted)
            {
                throw new EndOfStreamException("server closed the connection");
            }

            return more;
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>Reads commands until one is the answer; every other message is kept for ReceiveAsync.</summary>
    private async Task<RtmpCommand> WaitForCommandAsync(Func<RtmpCommand, bool> isAnswer, CancellationToken cancellationToken)
    {
        EnterRead();
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var answer = ScanForAnswer(buffer, isAnswer, out var consumed);
                _input.AdvanceTo(consumed, answer is null ? buffer.End : consumed);
                await FlushControlAsync(cancellationToken);
                if (answer is not null)
                {
                    return answer;
                }

                if (result.IsCompleted)
                {
                    throw new EndOfStreamException(
                        $"server closed the connection while a command waited (last status: {LastStatusCode ?? "none"})");
                }
            }
        }
        finally
        {
            ExitRead();
        }
    }

    private bool DeliverEarly(Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage)
    {
        while (_early.TryDequeue(out var early))
        {
            using (early)
            {
                if (!Deliver(early, onMessage))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool DeliverAll(in ReadOnlySequence<byte> buffer, Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var more = true;
        while (more && TryReadNext(ref reader, out var message))
        {
            using (message)
            {
                more = Deliver(message, onMessage);
            }
        }

        consumed = reader.Position;
        Volatile.Write(ref _bytesReceived, HandshakeBytesReceived + _chunks.BytesConsumed);
        return more;
    }

    private RtmpCommand? ScanForAnswer(in ReadOnlySequence<byte> buffer, Func<RtmpCommand, bool> isAnswer, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        RtmpCommand? answer = null;
        while (answer is null && TryReadNext(ref reader, out var message))
        {
            if (IsCommand(message.Header.Type))
            {
                var command = ParseCommand(message);
                Observe(command);
                if (isAnswer(command))
                {
                    message.Dispose();
                    answer = command;
                    break;
                }
            }

            if (_early.Count >= MaxEarlyMessages)
            {
                message.Dispose();
                throw new IOException($"server sent more than {MaxEarlyMessages} messages before answering a command");
            }

            _early.Enqueue(message);
        }

        consumed = reader.Position;
        Volatile.Write(ref _bytesReceived, HandshakeBytesReceived + _chunks.BytesConsumed);
        return answer;
    }

    /// <summary>The next message that is not protocol control (control is handled and released here).</summary>
    private bool TryReadNext(ref SequenceReader<byte> reader, [NotNullWhen(true)] out RtmpMessage? message)
    {
        while (_chunks.TryReadMessage(ref reader, out message))
        {
            if (!HandleControl(message))
            {
                return true;
            }

            message.Dispose();
        }

        return false;
    }

    private bool HandleControl(RtmpMessage message)
    {
        switch (message.Header.Type)
        {
            case RtmpMessageType.SetChunkSize: // applied by the chunk reader
            case RtmpMessageType.Abort:
            case RtmpMessageType.Acknowledgement:
            case RtmpMessageType.SetPeerBandwidth:
                return true;
            case RtmpMessageType.WindowAcknowledgementSize:
                _windowAckSize = RtmpControlMessages.ReadUInt32Payload(message.Payload.ReadOnlySpan, RtmpMessageType.WindowAcknowledgementSize);
                return true;
            case RtmpMessageType.UserControl:
                if (RtmpControlMessages.TryParseUserControl(message.Payload.ReadOnlySpan, out var ev)
                    && ev.Type == UserControlEventType.PingRequest)
                {
                    RtmpControlMessages.PingResponse(_controlOut, ev.Value, OutgoingChunkSize);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Sends pending pongs and, once half the server's window was received, an acknowledgement.</summary>
    private ValueTask FlushControlAsync(CancellationToken cancellationToken)
    {
        if (_windowAckSize > 0)
        {
            var received = BytesReceived;
            if (received - _lastAckSent >= _windowAckSize / 2)
            {
                _lastAckSent = received;
                RtmpControlMessages.Acknowledgement(_controlOut, unchecked((uint)received), OutgoingChunkSize);
            }
        }

        return _controlOut.WrittenCount == 0 ? ValueTask.CompletedTask : SendControlAsync(cancellationToken);
    }

    private async ValueTask SendControlAsync(CancellationToken cancellationToken)
    {
        await SendAsync(_controlOut.WrittenMemory, cancellationToken);
        _controlOut.ResetWrittenCount();
    }

    private bool Deliver(RtmpMessage message, Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage)
    {
        var header = message.Header;
        var payload = new ReadOnlySequence<byte>(message.Payload.Array, 0, message.Payload.Length);
        switch (header.Type)
        {
            case RtmpMessageType.Aggregate:
                return DeliverAggregate(header, payload, onMessage);
            case RtmpMessageType.CommandAmf0:
            case RtmpMessageType.CommandAmf3:
                Observe(ParseCommand(message));
                break;
        }

        return onMessage(header, payload);
    }

    private static bool DeliverAggregate(RtmpMessageHeader header, ReadOnlySequence<byte> body, Func<RtmpMessageHeader, ReadOnlySequence<byte>, bool> onMessage)
    {
        var reader = new SequenceReader<byte>(body);
        uint? first = null;
        while (RtmpAggregate.TryReadNext(ref reader, header.Timestamp, ref first, out var sub))
        {
            var subHeader = new RtmpMessageHeader(
                header.ChunkStreamId, sub.Timestamp, (int)sub.Payload.Length, (RtmpMessageType)sub.Type, header.MessageStreamId);
            if (!onMessage(subHeader, sub.Payload))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsCommand(RtmpMessageType type) => type is RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3;

    private static RtmpCommand ParseCommand(RtmpMessage message) =>
        RtmpCommand.Parse(
            new ReadOnlySequence<byte>(message.Payload.Array, 0, message.Payload.Length),
            amf3: message.Header.Type == RtmpMessageType.CommandAmf3);
}
