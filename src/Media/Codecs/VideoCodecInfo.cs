namespace Platform.Media.Codecs;

/// <summary>
/// The video summary the server's API reports (SRS field names): Codec "H264", "H265", "AV1" or "VP9";
/// Profile such as "Baseline", "Main", "High", "Main10"; Level such as "3.1"; Width and Height in pixels
/// after cropping (0 when the sequence header does not say).
/// </summary>
public sealed record VideoCodecInfo(string Codec, string Profile, string Level, int Width, int Height)
{
    /// <summary>The codec as an HLS <c>CODECS</c> attribute names it (RFC 6381, <c>avc1.64001f</c>); null when not known.</summary>
    public string? Rfc6381 { get; init; }
}

/// <summary>
/// The audio summary the server's API reports: Codec "AAC" or "MP3"; SampleRate in Hz (the output rate:
/// HE-AAC reports its SBR rate); Profile "LC", "HE", "HEv2"... for AAC and "" for MP3.
/// </summary>
public sealed record AudioCodecInfo(string Codec, int SampleRate, int Channels, string Profile);
