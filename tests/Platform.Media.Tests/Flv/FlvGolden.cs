namespace Platform.Media.Tests.Flv;

/// <summary>Hand-written FLV bytes (FLV specification v10, annex E).</summary>
internal static class FlvGolden
{
    /// <summary>"FLV", version 1, audio (0x04) + video (0x01), data offset 9, PreviousTagSize0 0.</summary>
    public static readonly byte[] FileHeaderAudioVideo =
        [0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00];

    public static readonly byte[] VideoPayload = [0x17, 0x01, 0x00, 0x00, 0x00, 0xAA];

    /// <summary>
    /// Video tag at 0x01234567 ms: the lower 24 bits 23 45 67, then the extended upper byte 01; stream id 0;
    /// PreviousTagSize 17 (11 + 6).
    /// </summary>
    public static readonly byte[] VideoTagExtendedTimestamp =
    [
        0x09, 0x00, 0x00, 0x06, 0x23, 0x45, 0x67, 0x01, 0x00, 0x00, 0x00,
        .. VideoPayload,
        0x00, 0x00, 0x00, 0x11,
    ];

    /// <summary>AMF0 "onMetaData" and an empty ECMA array.</summary>
    public static readonly byte[] ScriptPayload =
        [0x02, 0x00, 0x0A, .. "onMetaData"u8, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09];

    /// <summary>Script tag (type 18) at 0 ms, 21 bytes of data, PreviousTagSize 32.</summary>
    public static readonly byte[] ScriptTag =
    [
        0x12, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        .. ScriptPayload,
        0x00, 0x00, 0x00, 0x20,
    ];

    public static readonly byte[] Stream = [.. FileHeaderAudioVideo, .. ScriptTag, .. VideoTagExtendedTimestamp];
}
