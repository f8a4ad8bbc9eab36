using Platform.Media.Buffers;
using Platform.Media.Flv;
using Platform.Media.Rtmp;

namespace Platform.Streams.Hub;

/// <summary>
/// One message of a live stream (an FLV/RTMP audio, video or data body) with its corrected timestamp,
/// shared by reference count between the hub's caches and every reader's queue. Its wire forms (the RTMP
/// chunks at the server's outgoing chunk size, the FLV tag) are built once, on first use, and shared by
/// every reader of that protocol: a frame is never copied per reader.
/// </summary>
public sealed class MediaFrame
{
    /// <summary>Chunk size the server announces to every player; each frame is chunked once for it.</summary>
    public const int OutgoingChunkSize = 60000;

    /// <summary>Message stream id every player's <c>createStream</c> is given, so chunk bytes can be shared.</summary>
    public const uint PlayMessageStreamId = 1;

    private readonly PooledBuffer _payload;
    private PooledBuffer? _rtmpChunks;
    private PooledBuffer? _flvTag;
    private int _refCount = 1;

    public MediaFrame(FrameKind kind, uint timestamp, PooledBuffer payload, bool isKeyFrame, bool isSequenceHeader)
    {
        Kind = kind;
        Timestamp = timestamp;
        _payload = payload;
        IsKeyFrame = isKeyFrame;
        IsSequenceHeader = isSequenceHeader;
    }

    public FrameKind Kind { get; }

    /// <summary>Output timestamp in milliseconds, after jitter correction (wraps like RTMP's 32 bits).</summary>
    public uint Timestamp { get; }

    public bool IsKeyFrame { get; }

    /// <summary>A codec configuration (AVC/HEVC decoder record, AAC AudioSpecificConfig).</summary>
    public bool IsSequenceHeader { get; }

    public int Length => _payload.Length;

    public ReadOnlySpan<byte> Payload => _payload.ReadOnlySpan;

    public int RefCount => Volatile.Read(ref _refCount);

    /// <summary>Chunk stream id per kind, so that audio, video and data never share chunk state.</summary>
    public int ChunkStreamId => Kind switch
    {
        FrameKind.Audio => 4,
        FrameKind.Video => 6,
        _ => 5,
    };

    /// <summary>The frame as RTMP chunks (fmt 0 first chunk, so any frame may be skipped for one reader).</summary>
    public PooledBuffer RtmpChunks
    {
        get
        {
            var chunks = Volatile.Read(ref _rtmpChunks);
            if (chunks is not null)
            {
                return chunks;
            }

            var length = RtmpChunkWriter.GetChunkedLength(ChunkStreamId, Timestamp, _payload.Length, OutgoingChunkSize);
            var built = PooledBuffer.Rent(length);
            RtmpChunkWriter.WriteMessage(built.Span, ChunkStreamId, Timestamp, (RtmpMessageType)Kind,
                PlayMessageStreamId, _payload.ReadOnlySpan, OutgoingChunkSize);
            return PublishOnce(ref _rtmpChunks, built);
        }
    }

    /// <summary>The frame as one FLV tag followed by its PreviousTagSize.</summary>
    public PooledBuffer FlvTag
    {
        get
        {
            var tag = Volatile.Read(ref _flvTag);
            if (tag is not null)
            {
                return tag;
            }

            var built = PooledBuffer.Rent(FlvWriter.GetTagLength(_payload.Length));
            FlvWriter.WriteTag(built.Span, (FlvTagType)Kind, Timestamp, _payload.ReadOnlySpan);
            return PublishOnce(ref _flvTag, built);
        }
    }

    public MediaFrame AddRef()
    {
        if (Interlocked.Increment(ref _refCount) <= 1)
        {
            throw new ObjectDisposedException(nameof(MediaFrame), "AddRef on a released frame.");
        }

        return this;
    }

    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count == 0)
        {
            _payload.Release();
            Interlocked.Exchange(ref _rtmpChunks, null)?.Release();
            Interlocked.Exchange(ref _flvTag, null)?.Release();
        }
        else if (count < 0)
        {
            throw new InvalidOperationException("MediaFrame released more times than it was referenced.");
        }
    }

    private static PooledBuffer PublishOnce(ref PooledBuffer? slot, PooledBuffer built)
    {
        var existing = Interlocked.CompareExchange(ref slot, built, null);
        if (existing is null)
        {
            return built;
        }

        // Another reader built it first; keep theirs.
        built.Release();
        return existing;
    }
}
