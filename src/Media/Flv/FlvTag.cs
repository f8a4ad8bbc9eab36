using System.Buffers;

namespace Platform.Media.Flv;

/// <summary>
/// One FLV tag. <see cref="Data"/> is a slice of the reader's input: valid until the caller advances
/// the pipe past it (copy it, e.g. into a PooledBuffer, to keep it).
/// </summary>
public readonly struct FlvTag
{
    public FlvTag(FlvTagType type, uint timestamp, ReadOnlySequence<byte> data)
    {
        Type = type;
        Timestamp = timestamp;
        Data = data;
    }

    public FlvTagType Type { get; }

    /// <summary>Milliseconds, with the extended upper byte applied.</summary>
    public uint Timestamp { get; }

    public int DataSize => (int)Data.Length;

    public ReadOnlySequence<byte> Data { get; }
}
