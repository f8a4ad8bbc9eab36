using System.Buffers;
using Microsoft.Extensions.Logging;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Flv;
using Platform.Media.Rtmp;
using Platform.Streams.Hub;

namespace Platform.Ingest.Rtmp;

public sealed partial class RtmpSession
{
    private Task HandleMessageAsync(RtmpMessage message)
    {
        var header = message.Header;
        switch (header.Type)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
                WriteMedia((FrameKind)header.Type, header.Timestamp, message.Payload.AddRef());
                return Task.CompletedTask;

            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
                HandleData(message);
                return Task.CompletedTask;

            case RtmpMessageType.Aggregate:
                HandleAggregate(message);
                return Task.CompletedTask;

            case RtmpMessageType.CommandAmf0:
            case RtmpMessageType.CommandAmf3:
                var command = RtmpCommand.Parse(new ReadOnlySequence<byte>(message.Payload.Memory), header.Type == RtmpMessageType.CommandAmf3);
                return HandleCommandAsync(command, header.MessageStreamId);

            case RtmpMessageType.WindowAcknowledgementSize:
                _peerWindow = RtmpControlMessages.ReadUInt32Payload(message.Payload.ReadOnlySpan, header.Type);
                return Task.CompletedTask;

            case RtmpMessageType.UserControl:
                return HandleUserControlAsync(message.Payload.ReadOnlySpan);

            default:
                // SetChunkSize and Abort are applied by the chunk reader; Acknowledgement and
                // SetPeerBandwidth need nothing from a server; shared objects are not supported.
                return Task.CompletedTask;
        }
    }

    private Task HandleUserControlAsync(ReadOnlySpan<byte> payload)
    {
        if (RtmpControlMessages.TryParseUserControl(payload, out var ev) && ev.Type == UserControlEventType.PingRequest)
        {
            using var writer = new PooledBufferWriter(32);
            RtmpControlMessages.PingResponse(writer, ev.Value);
            return SendControlAsync(writer);
        }

        return Task.CompletedTask;
    }

    private void WriteMedia(FrameKind kind, uint timestamp, PooledBuffer payload)
    {
        if (_publish is null)
        {
            payload.Release();
            return;
        }

        if (kind != FrameKind.Data)
        {
            _publishGotMedia = true;
        }

        _publish.Write(kind, timestamp, payload);
    }

    /// <summary><c>@setDataFrame</c> is stored as the <c>onMetaData</c> it carries; <c>onMetaData</c> as is.</summary>
    private void HandleData(RtmpMessage message)
    {
        if (_publish is null)
        {
            return;
        }

        var payload = message.Payload.Memory;
        if (message.Header.Type == RtmpMessageType.DataAmf3 && payload.Length > 0 && payload.Span[0] == 0)
        {
            payload = payload[1..];
        }

        var values = RtmpCommand.ParseValues(new ReadOnlySequence<byte>(payload));
        if (values.Count == 0 || values[0] is not string name)
        {
            return;
        }

        var start = name == "@setDataFrame" ? 1 : 0;
        if (values.Count <= start || values[start] is not string dataName || dataName != "onMetaData")
        {
            return;
        }

        using var writer = new PooledBufferWriter(payload.Length + 64);
        Amf0Writer.WriteString(writer, "onMetaData");
        for (var i = start + 1; i < values.Count; i++)
        {
            Amf0Writer.WriteValue(writer, values[i]);
        }

        WriteMedia(FrameKind.Data, message.Header.Timestamp, writer.ToPooledBuffer());
    }

    private void HandleAggregate(RtmpMessage message)
    {
        if (_publish is null)
        {
            return;
        }

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(message.Payload.Memory));
        uint? first = null;
        while (RtmpAggregate.TryReadNext(ref reader, message.Header.Timestamp, ref first, out var sub))
        {
            if (sub.Type is FlvTagType.Audio or FlvTagType.Video)
            {
                WriteMedia((FrameKind)sub.Type, sub.Timestamp, PooledBuffer.CopyOf(sub.Payload));
            }
        }
    }
}
