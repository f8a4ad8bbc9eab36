namespace Platform.Ingest.Rtmp;

/// <summary>RTMP listener settings (configuration section <c>Rtmp</c>).</summary>
public sealed record RtmpServerOptions
{
    public int Port { get; init; } = 1935;

    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>Time allowed for the handshake and the <c>connect</c> command.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A publisher must send its first audio or video within this time after <c>publish</c>.</summary>
    public TimeSpan PublishFirstPacketTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A publisher that sends nothing for this long is disconnected.</summary>
    public TimeSpan PublishIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection that has neither published nor played and sent nothing for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One socket write to a player may take at most this long.</summary>
    public TimeSpan PlaySendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest RTMP message accepted from a client.</summary>
    public int MaxMessageLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most chunk streams one client may open.</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>Most connections at once; past it new ones are closed at once.</summary>
    public int MaxConnections { get; init; } = 10000;

    /// <summary>Acknowledgement window announced to clients.</summary>
    public uint WindowAckSize { get; init; } = 2_500_000;
}
