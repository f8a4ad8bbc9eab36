namespace Platform.Media.Rtmp;

/// <summary>
/// A parsed user control event. <see cref="Value"/> is the stream id (or the ping timestamp);
/// <see cref="Value2"/> is the buffer length in milliseconds for SetBufferLength and zero otherwise.
/// </summary>
public readonly record struct UserControlEvent(UserControlEventType Type, uint Value, uint Value2);
