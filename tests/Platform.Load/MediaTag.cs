namespace Platform.Load;

/// <summary>
/// One audio (8), video (9) or AMF0 data (18) message of a source, with its timestamp in milliseconds.
/// <see cref="IsHeader"/> marks what a publisher sends once (metadata, codec sequence headers);
/// <see cref="IsKeyFrame"/> a coded video key frame.
/// </summary>
public readonly record struct MediaTag(byte Type, uint Timestamp, ReadOnlyMemory<byte> Payload, bool IsHeader, bool IsKeyFrame);
