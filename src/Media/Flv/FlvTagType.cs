namespace Platform.Media.Flv;

/// <summary>FLV tag types; the same numbers are the RTMP message types for audio, video and AMF0 data.</summary>
public enum FlvTagType : byte
{
    Audio = 8,
    Video = 9,
    Script = 18,
}
