using System.Diagnostics.CodeAnalysis;

namespace Platform.Media.Rtmp;

/// <summary>Throw helpers for the RTMP chunk layer, so the parsing paths stay small.</summary>
internal static class RtmpErrors
{
    [DoesNotReturn]
    public static void StartsWithFmt(int chunkStreamId, int fmt) =>
        ThrowHelper.Malformed($"chunk stream {chunkStreamId} starts with fmt {fmt}");

    [DoesNotReturn]
    public static void TooManyChunkStreams(int chunkStreamId, int limit) =>
        ThrowHelper.Malformed($"chunk stream {chunkStreamId} exceeds the limit of {limit} chunk streams");

    [DoesNotReturn]
    public static void MessageTooLong(int chunkStreamId, int length, int limit) =>
        ThrowHelper.Malformed($"message length {length} on chunk stream {chunkStreamId} exceeds the limit of {limit} bytes");

    [DoesNotReturn]
    public static void LengthChanged(int chunkStreamId, int from, int to) =>
        ThrowHelper.Malformed($"chunk stream {chunkStreamId}: message length changed from {from} to {to} mid-message");

    [DoesNotReturn]
    public static void ChunkSizeTopBit(uint value) =>
        ThrowHelper.Malformed($"SetChunkSize 0x{value:X8} has the top bit set");

    [DoesNotReturn]
    public static void ChunkSizeZero() =>
        ThrowHelper.Malformed("SetChunkSize 0 is invalid: the chunk size must be at least 1");

    [DoesNotReturn]
    public static void ChunkSizeTooLarge(uint value, int limit) =>
        ThrowHelper.Malformed($"SetChunkSize {value} exceeds the limit of {limit}");

    [DoesNotReturn]
    public static void PayloadTooShort(string what, int length, int expected) =>
        ThrowHelper.Malformed($"{what} payload is {length} bytes, expected at least {expected}");
}
