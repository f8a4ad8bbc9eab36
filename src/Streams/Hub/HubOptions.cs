namespace Platform.Streams.Hub;

/// <summary>Per-stream data-plane settings.</summary>
public sealed record HubOptions
{
    public JitterMode Jitter { get; init; } = JitterMode.Full;

    /// <summary>Keep the current GOP so a new player starts at a keyframe at once.</summary>
    public bool GopCache { get; init; } = true;

    /// <summary>Frames kept in the GOP cache at most; past it the cache is dropped until the next keyframe.</summary>
    public int MaxGopFrames { get; init; } = 2500;

    /// <summary>Bytes kept in the GOP cache at most.</summary>
    public long MaxGopBytes { get; init; } = 32 * 1024 * 1024;

    public ReaderOptions Reader { get; init; } = new();
}
