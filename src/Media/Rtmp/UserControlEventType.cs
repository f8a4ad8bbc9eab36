namespace Platform.Media.Rtmp;

/// <summary>User control event types (RTMP 1.0 specification, section 7.1.7).</summary>
public enum UserControlEventType : ushort
{
    StreamBegin = 0,
    StreamEof = 1,
    StreamDry = 2,
    SetBufferLength = 3,
    StreamIsRecorded = 4,
    PingRequest = 6,
    PingResponse = 7,
}
