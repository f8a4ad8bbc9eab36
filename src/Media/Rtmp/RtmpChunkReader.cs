using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Platform.Media.Buffers;

namespace Platform.Media.Rtmp;

/// <summary>
/// Reassembles RTMP messages from one direction of a connection's chunk stream (after the handshake).
/// Stateful: one instance per connection and direction, not thread-safe.
/// </summary>
/// <remarks>
/// Only complete chunks are consumed: a chunk whose basic header, message header, extended timestamp or
/// payload part is not all present is left in the input. Complete chunks of unfinished messages are copied
/// into a per-chunk-stream pooled buffer rented once at the declared length. Malformed or abusive input
/// throws <see cref="MediaFormatException"/> as soon as the offending header is seen, before any buffering.
/// SetChunkSize and Abort are applied here as soon as they complete and are still returned to the caller.
/// </remarks>
public sealed partial class RtmpChunkReader : IDisposable
{
    private const int DirectSlots = 64;

    private readonly RtmpChunkReaderOptions _options;
    private readonly RtmpChunkStreamState?[] _direct = new RtmpChunkStreamState?[DirectSlots];
    private readonly Dictionary<int, RtmpChunkStreamState> _others = [];
    private int _streamCount;
    private bool _disposed;

    public RtmpChunkReader()
        : this(new RtmpChunkReaderOptions())
    {
    }

    public RtmpChunkReader(RtmpChunkReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The peer's current chunk size (128 until it sends SetChunkSize).</summary>
    public int ChunkSize { get; private set; } = RtmpChunkProtocol.DefaultChunkSize;

    /// <summary>Total bytes consumed from the input so far, the count acknowledgements report.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>How many distinct chunk streams the peer has used.</summary>
    public int ChunkStreamCount => _streamCount;

    /// <summary>
    /// Consumes complete chunks until one completes a message (true, with the message, which the caller
    /// disposes) or the input runs out (false; an incomplete trailing chunk is left unconsumed).
    /// </summary>
    public bool TryReadMessage(ref SequenceReader<byte> reader, [NotNullWhen(true)] out RtmpMessage? message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (TryReadChunk(ref reader, out message))
        {
            if (message is not null)
            {
                return true;
            }
        }

        message = null;
        return false;
    }

    /// <summary>Releases every partially assembled message and forgets all chunk streams.</summary>
    public void Reset()
    {
        for (var i = 0; i < _direct.Length; i++)
        {
            _direct[i]?.DropPartial();
            _direct[i] = null;
        }

        foreach (var state in _others.Values)
        {
            state.DropPartial();
        }

        _others.Clear();
        _streamCount = 0;
        ChunkSize = RtmpChunkProtocol.DefaultChunkSize;
        BytesConsumed = 0;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            Reset();
            _disposed = true;
        }
    }

    /// <summary>For tests: the buffer assembling a message on <paramref name="chunkStreamId"/>, if any.</summary>
    internal PooledBuffer? GetPartialBuffer(int chunkStreamId) => Find(chunkStreamId)?.Partial;

    /// <summary>
    /// Reads one chunk. False when it is incomplete (nothing consumed); true when it was consumed, with
    /// <paramref name="message"/> set when it completed a message.
    /// </summary>
    private bool TryReadChunk(ref SequenceReader<byte> reader, out RtmpMessage? message)
    {
        message = null;
        var r = reader;
        if (!TryReadBasicHeader(ref r, out var fmt, out var chunkStreamId))
        {
            return false;
        }

        var state = Find(chunkStreamId);
        if (state is null)
        {
            if (fmt != 0)
            {
                RtmpErrors.StartsWithFmt(chunkStreamId, fmt);
            }

            if (_streamCount >= _options.MaxChunkStreams)
            {
                RtmpErrors.TooManyChunkStreams(chunkStreamId, _options.MaxChunkStreams);
            }
        }

        if (!TryReadMessageHeader(ref r, fmt, chunkStreamId, state, out var header))
        {
            return false;
        }

        var inProgress = state?.Partial is not null;
        var received = inProgress ? state!.Received : 0;
        var part = Math.Min(ChunkSize, header.Length - received);
        if (r.Remaining < part)
        {
            return false;
        }

        // The chunk is complete: commit.
        state ??= Add(chunkStreamId);
        if (header.HasFields)
        {
            header.ApplyTo(state);
        }

        state.Partial ??= PooledBuffer.Rent(state.Length);
        if (part > 0)
        {
            r.TryCopyTo(state.Partial.Span.Slice(state.Received, part));
            r.Advance(part);
            state.Received += part;
        }

        BytesConsumed += r.Consumed - reader.Consumed;
        reader = r;
        if (state.Received == state.Length)
        {
            message = Complete(state);
        }

        return true;
    }

    private RtmpMessage Complete(RtmpChunkStreamState state)
    {
        var payload = state.Partial!;
        state.Partial = null;
        state.Received = 0;
        var header = new RtmpMessageHeader(
            state.ChunkStreamId, state.Timestamp, state.Length, state.Type, state.MessageStreamId);
        if (header.Type is RtmpMessageType.SetChunkSize or RtmpMessageType.Abort)
        {
            ApplyControl(header.Type, payload);
        }

        return new RtmpMessage(header, payload);
    }

    private void ApplyControl(RtmpMessageType type, PooledBuffer payload)
    {
        try
        {
            var value = RtmpControlMessages.ReadUInt32Payload(payload.ReadOnlySpan, type);
            if (type == RtmpMessageType.SetChunkSize)
            {
                ChunkSize = ValidateChunkSize(value, _options.MaxChunkSize);
            }
            else if (value is >= RtmpChunkProtocol.MinChunkStreamId and <= RtmpChunkProtocol.MaxChunkStreamId)
            {
                Find((int)value)?.DropPartial();
            }
        }
        catch (MediaFormatException)
        {
            payload.Release();
            throw;
        }
    }

    private static int ValidateChunkSize(uint value, int limit)
    {
        if ((value & 0x8000_0000) != 0)
        {
            RtmpErrors.ChunkSizeTopBit(value);
        }

        if (value == 0)
        {
            RtmpErrors.ChunkSizeZero();
        }

        if (value > (uint)limit)
        {
            RtmpErrors.ChunkSizeTooLarge(value, limit);
        }

        return (int)value;
    }

    private RtmpChunkStreamState? Find(int chunkStreamId)
    {
        if (chunkStreamId < DirectSlots)
        {
            return _direct[chunkStreamId];
        }

        return _others.TryGetValue(chunkStreamId, out var state) ? state : null;
    }

    private RtmpChunkStreamState Add(int chunkStreamId)
    {
        var state = new RtmpChunkStreamState(chunkStreamId);
        if (chunkStreamId < DirectSlots)
        {
            _direct[chunkStreamId] = state;
        }
        else
        {
            _others.Add(chunkStreamId, state);
        }

        _streamCount++;
        return state;
    }
}
