using System.Buffers;
using Platform.Media.Rtmp;

namespace Platform.Workers.Rtmp;

/// <summary>
/// Takes one message of a read step (anything but protocol control, which the connection applies); the
/// message is disposed after the call, so a payload kept longer takes a reference first. True stops the step
/// at this message: what follows stays buffered for the next read.
/// </summary>
public delegate bool RtmpMessageHandler(RtmpMessage message);

public sealed partial class RtmpClientConnection
{
    private readonly ArrayBufferWriter<byte> _control = new(64);
    private uint _windowAckSize;
    private long _lastAck;

    /// <summary>
    /// One read step: waits for bytes (unless a previous step stopped with messages left), parses every complete
    /// message, Kestrel style, with no await in between, applies protocol control (SetChunkSize, the
    /// acknowledgement window, pings) and hands every other message to <paramref name="onMessage"/>; then sends
    /// pending pongs and, once half the server's window came in, an acknowledgement. False when the server
    /// closed the connection (a trailing incomplete chunk is dropped); true otherwise.
    /// </summary>
    public async ValueTask<bool> ReadAsync(RtmpMessageHandler onMessage, CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var result = await _input.ReadAsync(cancellationToken);
            var stopped = Scan(result.Buffer, onMessage, out var consumed);
            _input.AdvanceTo(consumed, stopped ? consumed : result.Buffer.End);
            await FlushControlAsync(cancellationToken);
            return stopped || !result.IsCompleted;
        }
        finally
        {
            _readLock.Release();
        }
    }

    private bool Scan(in ReadOnlySequence<byte> buffer, RtmpMessageHandler onMessage, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var stopped = false;
        while (!stopped && _chunks.TryReadMessage(ref reader, out var message))
        {
            using (message)
            {
                stopped = !ApplyControl(message) && onMessage(message);
            }
        }

        consumed = reader.Position;
        return stopped;
    }

    /// <summary>Applies a protocol control message (pongs are queued for sending); false when the message is not one.</summary>
    private bool ApplyControl(RtmpMessage message)
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
                if (RtmpControlMessages.TryParseUserControl(message.Payload.ReadOnlySpan, out var ev) && ev.Type == UserControlEventType.PingRequest)
                {
                    RtmpControlMessages.PingResponse(_control, ev.Value, ChunkSize);
                }

                return true;
            default:
                return false;
        }
    }

    private ValueTask FlushControlAsync(CancellationToken cancellationToken)
    {
        var received = BytesReceived;
        if (_windowAckSize > 0 && received - _lastAck >= _windowAckSize / 2)
        {
            _lastAck = received;
            RtmpControlMessages.Acknowledgement(_control, unchecked((uint)received), ChunkSize);
        }

        return _control.WrittenCount == 0 ? ValueTask.CompletedTask : SendControlAsync(cancellationToken);
    }

    private async ValueTask SendControlAsync(CancellationToken cancellationToken)
    {
        await SendAsync(_control.WrittenMemory, cancellationToken);
        _control.ResetWrittenCount();
    }
}
