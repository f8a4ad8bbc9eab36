namespace Platform.Streams.Cluster;

/// <summary>How this node links to the others for media.</summary>
public sealed record MediaLinkOptions
{
    /// <summary>The shared secret every node proves on each link; null or empty: this node serves and opens no links.</summary>
    public string? Secret { get; init; }

    /// <summary>A link stays open this long after its last local reader left, for a reader that comes back.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between two attempts to reach a publisher's node after a network error.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long connecting and the handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>While no publisher is known, the entity is asked again this often (it also tells of a publish at once).</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame accepted on a link (as <c>Rtmp:MaxMessageLength</c> for publishers).</summary>
    public int MaxFrameLength { get; init; } = 8 * 1024 * 1024;

    public byte[] SecretBytes => System.Text.Encoding.UTF8.GetBytes(Secret ?? string.Empty);

    public bool Enabled => !string.IsNullOrEmpty(Secret);
}
