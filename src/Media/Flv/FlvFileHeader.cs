namespace Platform.Media.Flv;

/// <summary>The 9-byte (or longer, per <see cref="DataOffset"/>) header at the start of an FLV file.</summary>
public readonly record struct FlvFileHeader(byte Version, bool HasAudio, bool HasVideo, uint DataOffset);
