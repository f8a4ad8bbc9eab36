namespace Platform.Streams.Hub;

/// <summary>The three kinds of message a live stream carries; values are the RTMP/FLV type ids.</summary>
public enum FrameKind : byte
{
    Audio = 8,
    Video = 9,
    Data = 18,
}
