namespace Platform.Streams.Hub;

/// <summary>How the hub corrects publisher timestamps, like SRS's <c>time_jitter</c>.</summary>
public enum JitterMode
{
    /// <summary>Start at zero, keep each track monotonic, replace backward steps and huge jumps by a frame time.</summary>
    Full,

    /// <summary>Only shift so the stream starts at zero (and never step backwards per track).</summary>
    Zero,

    /// <summary>Pass timestamps through untouched.</summary>
    Off,
}
