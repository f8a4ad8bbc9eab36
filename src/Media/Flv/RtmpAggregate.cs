using System.Buffers;

namespace Platform.Media.Flv;

/// <summary>
/// Splits an RTMP aggregate message (type 22) into its sub-messages. The body is a run of FLV tags (11-byte
/// header, payload, 4-byte back pointer). Sub-message timestamps are rebased: the first takes the aggregate
/// message's timestamp and later ones keep their offset from the first (modulo 2^32, as RTMP timestamps).
/// An aggregate arrives whole, so a truncated one is malformed.
/// </summary>
/// <example>
/// <code>
/// var reader = new SequenceReader&lt;byte&gt;(body);
/// uint? first = null;
/// while (RtmpAggregate.TryReadNext(ref reader, message.Timestamp, ref first, out var sub)) { ... }
/// </code>
/// </example>
public static class RtmpAggregate
{
    public const byte MessageType = 22;

    /// <summary>
    /// Reads the next sub-message; false once the body is exhausted. <paramref name="firstSubTimestamp"/>
    /// starts null and remembers the first sub-message's own timestamp across calls.
    /// </summary>
    public static bool TryReadNext(
        ref SequenceReader<byte> reader, uint aggregateTimestamp, ref uint? firstSubTimestamp, out AggregateSubMessage sub)
    {
        sub = default;
        if (reader.End)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[FlvWriter.TagHeaderLength];
        if (!reader.TryCopyTo(header))
        {
            ThrowHelper.Malformed(
                $"Aggregate message truncated: {reader.Remaining} bytes left where an 11-byte sub-message header was expected.");
        }

        FlvReader.ParseTagHeader(header, FlvWriter.MaxDataSize, aggregate: true, out var type, out var dataSize, out var timestamp);
        var length = FlvWriter.GetTagLength(dataSize);
        if (reader.Remaining < length)
        {
            ThrowHelper.Malformed(
                $"Aggregate message truncated: sub-message of {dataSize} bytes (+15 framing) but only {reader.Remaining} bytes left.");
        }

        // Like SRS and nginx-rtmp, the back pointer after each sub-message is skipped unchecked.
        var payload = reader.UnreadSequence.Slice(FlvWriter.TagHeaderLength, dataSize);
        reader.Advance(length);
        firstSubTimestamp ??= timestamp;
        sub = new AggregateSubMessage(type, unchecked(aggregateTimestamp + (timestamp - firstSubTimestamp.Value)), payload);
        return true;
    }
}
