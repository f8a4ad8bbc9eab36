using System.Buffers;

namespace Platform.Media.Flv;

/// <summary>
/// One message inside an RTMP aggregate message. <see cref="Timestamp"/> is already rebased onto the
/// aggregate's timestamp; <see cref="Payload"/> is a slice of the aggregate's body.
/// </summary>
public readonly record struct AggregateSubMessage(FlvTagType Type, uint Timestamp, ReadOnlySequence<byte> Payload);
