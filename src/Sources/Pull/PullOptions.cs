namespace Platform.Sources.Pull;

/// <summary>How long a pull waits and how much it takes from the wire.</summary>
public sealed record PullOptions
{
    /// <summary>TCP connect, handshake and commands up to <c>play</c> (RTMP); the answer's headers (HTTP-FLV).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No audio or video message for this long ends the pull (none at all: not found; after media: stalled).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A larger message (RTMP) or tag (FLV) from the wire is a protocol error.</summary>
    public int MaxMessageLength { get; init; } = 8 * 1024 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StallTimeout, TimeSpan.Zero, nameof(StallTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, 1, nameof(MaxMessageLength));
    }
}
