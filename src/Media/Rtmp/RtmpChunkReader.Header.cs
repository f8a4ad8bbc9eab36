using System.Buffers;
using System.Buffers.Binary;

namespace Platform.Media.Rtmp;

public sealed partial class RtmpChunkReader
{
    private static bool TryReadBasicHeader(ref SequenceReader<byte> r, out int fmt, out int chunkStreamId)
    {
        chunkStreamId = 0;
        fmt = 0;
        if (!r.TryRead(out var first))
        {
            return false;
        }

        fmt = first >> 6;
        var low = first & 0x3F;
        if (low == 0)
        {
            if (!r.TryRead(out var b1))
            {
                return false;
            }

            chunkStreamId = 64 + b1;
        }
        else if (low == 1)
        {
            if (!r.TryRead(out var b1) || !r.TryRead(out var b2))
            {
                return false;
            }

            chunkStreamId = 64 + b1 + (b2 << 8);
        }
        else
        {
            chunkStreamId = low;
        }

        return true;
    }

    /// <summary>
    /// Reads the message header and extended timestamp of a chunk and resolves them against the chunk
    /// stream's previous header. False when incomplete. Throws on a length over the limit or a length
    /// change in the middle of a message, before anything is buffered.
    /// </summary>
    private bool TryReadMessageHeader(
        ref SequenceReader<byte> r, int fmt, int chunkStreamId, RtmpChunkStreamState? state, out ChunkHeader header)
    {
        header = default;
        if (fmt == 3)
        {
            return TryReadFmt3(ref r, state!, out header);
        }

        Span<byte> bytes = stackalloc byte[11];
        var size = fmt switch { 0 => 11, 1 => 7, _ => 3 };
        if (!r.TryCopyTo(bytes[..size]))
        {
            return false;
        }

        r.Advance(size);
        var field = ReadUInt24(bytes);
        var length = state?.Length ?? 0;
        var type = state?.Type ?? default;
        var messageStreamId = state?.MessageStreamId ?? 0;
        if (fmt <= 1)
        {
            length = (int)ReadUInt24(bytes[3..]);
            type = (RtmpMessageType)bytes[6];
            if (state?.Partial is not null)
            {
                if (length != state.Length)
                {
                    RtmpErrors.LengthChanged(chunkStreamId, state.Length, length);
                }
            }
            else if (length > _options.MaxMessageLength)
            {
                RtmpErrors.MessageTooLong(chunkStreamId, length, _options.MaxMessageLength);
            }

            if (fmt == 0)
            {
                messageStreamId = BinaryPrimitives.ReadUInt32LittleEndian(bytes[7..]);
            }
        }

        var extended = field == RtmpChunkProtocol.ExtendedTimestampMarker;
        var value = field;
        if (extended)
        {
            if (!r.TryReadBigEndian(out int extendedValue))
            {
                return false;
            }

            value = (uint)extendedValue;
        }

        header = new ChunkHeader
        {
            HasFields = true,
            Timestamp = fmt == 0 ? value : unchecked(state!.Timestamp + value),
            Delta = value,
            Length = length,
            Type = type,
            MessageStreamId = messageStreamId,
            Extended = extended,
        };
        return true;
    }

    private static bool TryReadFmt3(ref SequenceReader<byte> r, RtmpChunkStreamState state, out ChunkHeader header)
    {
        header = new ChunkHeader { Length = state.Length };
        if (state.Partial is not null)
        {
            // Continuation: the extended timestamp is repeated per spec, but some encoders omit it. Skip
            // four bytes only if they equal the stored value; wait while a matching prefix is all there is.
            return !state.HasExtendedTimestamp || TrySkipRepeatedExtendedTimestamp(ref r, state.TimestampDelta);
        }

        // A new message with the previous header's fields; the timestamp advances by the previous delta,
        // or by the extended field, which is then required.
        var delta = state.TimestampDelta;
        if (state.HasExtendedTimestamp)
        {
            if (!r.TryReadBigEndian(out int extendedValue))
            {
                return false;
            }

            delta = (uint)extendedValue;
        }

        header = new ChunkHeader
        {
            HasFields = true,
            Timestamp = unchecked(state.Timestamp + delta),
            Delta = delta,
            Length = state.Length,
            Type = state.Type,
            MessageStreamId = state.MessageStreamId,
            Extended = state.HasExtendedTimestamp,
        };
        return true;
    }

    private static bool TrySkipRepeatedExtendedTimestamp(ref SequenceReader<byte> r, uint expected)
    {
        Span<byte> want = stackalloc byte[4];
        Span<byte> have = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(want, expected);
        var available = (int)Math.Min(r.Remaining, 4);
        r.TryCopyTo(have[..available]);
        if (!have[..available].SequenceEqual(want[..available]))
        {
            return true; // omitted: these bytes are payload
        }

        if (available < 4)
        {
            return false; // a matching prefix: cannot tell yet
        }

        r.Advance(4);
        return true;
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> bytes) => (uint)((bytes[0] << 16) | (bytes[1] << 8) | bytes[2]);

    /// <summary>A chunk's header resolved against its chunk stream's previous one.</summary>
    private struct ChunkHeader
    {
        /// <summary>False for a fmt 3 chunk continuing a message: nothing to apply, only the length.</summary>
        public bool HasFields;
        public uint Timestamp;
        public uint Delta;
        public int Length;
        public RtmpMessageType Type;
        public uint MessageStreamId;
        public bool Extended;

        public readonly void ApplyTo(RtmpChunkStreamState state)
        {
            state.Timestamp = Timestamp;
            state.TimestampDelta = Delta;
            state.Length = Length;
            state.Type = Type;
            state.MessageStreamId = MessageStreamId;
            state.HasExtendedTimestamp = Extended;
        }
    }
}
