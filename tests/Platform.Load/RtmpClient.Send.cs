using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Rtmp;

namespace Platform.Load;

public sealed partial class RtmpClient
{
    private const int CommandChunkStream = 3;
    private const int AudioChunkStream = 4;
    private const int StreamCommandChunkStream = 5;
    private const int VideoChunkStream = 6;
    private const int DataChunkStream = 7;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _mediaOut = new(16 * 1024);
    private long _bytesSent;
    private double _nextTransactionId = 1;

    /// <summary>
    /// Sends one audio (8), video (9) or AMF0 data (18) message on the stream from <see cref="PublishAsync"/>.
    /// Safe to call while <see cref="ReceiveAsync"/> runs; concurrent writes are serialized.
    /// </summary>
    public async ValueTask WriteMediaAsync(byte type, uint timestamp, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var chunkStream = type switch
        {
            (byte)RtmpMessageType.Audio => AudioChunkStream,
            (byte)RtmpMessageType.Video => VideoChunkStream,
            (byte)RtmpMessageType.DataAmf0 => DataChunkStream,
            (byte)RtmpMessageType.Aggregate => VideoChunkStream,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Only audio (8), video (9), data (18) and aggregate (22) messages."),
        };

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _mediaOut.ResetWrittenCount();
            RtmpChunkWriter.WriteMessage(
                _mediaOut, chunkStream, timestamp, (RtmpMessageType)type, StreamId, payload.Span, OutgoingChunkSize);
            await _stream.WriteAsync(_mediaOut.WrittenMemory, cancellationToken);
            Interlocked.Add(ref _bytesSent, _mediaOut.WrittenCount);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes raw bytes under the write lock.</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            Interlocked.Add(ref _bytesSent, bytes.Length);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>A fresh transaction id for a command that expects a <c>_result</c>.</summary>
    private double NextTransactionId() => _nextTransactionId++;

    /// <summary>Appends a chunked AMF0 command message to <paramref name="output"/>.</summary>
    private static void AppendCommand(
        ArrayBufferWriter<byte> output, int chunkStream, uint streamId, string name, double transactionId, object? commandObject, params object?[] arguments)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        new RtmpCommand(name, transactionId, commandObject, arguments).WriteTo(payload);
        RtmpChunkWriter.WriteMessage(
            output, chunkStream, 0, RtmpMessageType.CommandAmf0, streamId, payload.WrittenSpan, OutgoingChunkSize);
    }
}
