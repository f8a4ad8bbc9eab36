namespace Platform.Streams.Clients;

public enum ClientKind
{
    /// <summary>Connected over RTMP, has not published or played yet.</summary>
    RtmpConnecting,
    RtmpPublisher,
    RtmpPlayer,
    FlvPlayer,

    /// <summary>An HLS viewer: a session of playlist and segment requests tied by its <c>hls_ctx</c>.</summary>
    HlsPlayer,

    /// <summary>A media link sending a stream published here to another node of the cluster (not a player).</summary>
    LinkSender,

    /// <summary>A media link feeding this node's hub from the node where the stream is published (not a publisher).</summary>
    LinkReceiver,
}

/// <summary>What the control plane knows of one connection: who it is, where from, what it does.</summary>
public sealed record ClientInfo(
    string Id,
    ClientKind Kind,
    string Ip,
    StreamKey Stream,
    string TcUrl,
    string PageUrl,
    string SwfUrl,
    string Param,
    DateTimeOffset ConnectedAt)
{
    public bool IsPublisher => Kind == ClientKind.RtmpPublisher;

    /// <summary>
    /// Set for the platform's own connections (an engine's ffmpeg): trusted by ticket, not shown among
    /// outside clients; for a publisher, the descent of the stream it publishes.
    /// </summary>
    public Access.InternalOrigin? Internal { get; init; }

    /// <summary>Bytes sent to the client over its connection; set on the <c>Closed</c> event (SRS's on_close <c>send_bytes</c>).</summary>
    public long BytesSent { get; init; }

    /// <summary>Bytes received from the client; set on the <c>Closed</c> event (on_close <c>recv_bytes</c>).</summary>
    public long BytesReceived { get; init; }

    /// <summary>SRS's type names for <c>/api/v1/clients</c>.</summary>
    public string SrsType => Kind switch
    {
        ClientKind.RtmpPublisher => "fmle-publish",
        ClientKind.RtmpPlayer => "rtmp-play",
        ClientKind.FlvPlayer => "flv-play",
        ClientKind.HlsPlayer => "hls-play",
        ClientKind.RtmpConnecting => "rtmp-connecting",
        ClientKind.LinkSender => "cluster-link-out",
        ClientKind.LinkReceiver => "cluster-link-in",
        _ => "unknown",
    };
}
