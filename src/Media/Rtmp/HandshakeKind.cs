namespace Platform.Media.Rtmp;

/// <summary>Which RTMP handshake a side answered with.</summary>
public enum HandshakeKind
{
    /// <summary>The simple handshake of the RTMP specification: S2 echoes C1, C2 echoes S1.</summary>
    Plain,

    /// <summary>The Flash "complex" handshake: HMAC-SHA256 digests keyed with the Flash Player / FMS keys.</summary>
    Digest,
}
