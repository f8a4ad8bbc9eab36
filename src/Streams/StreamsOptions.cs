using Platform.Streams.Hub;

namespace Platform.Streams;

/// <summary>Stream lifecycle settings shared by every protocol.</summary>
public sealed record StreamsOptions
{
    /// <summary>A stream with no publisher and no reader for this long passivates and is freed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a player waits for a publisher (before the first publish or between two).</summary>
    public TimeSpan PlayWaitTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a control request to a stream entity may take.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the publisher's node reports counters to the stream entity. The report also registers the
    /// publisher again with an entity started anew after its node died, so it bounds how long that takes.
    /// </summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(2);

    public HubOptions Hub { get; init; } = new();

    /// <summary>Publishers are refused on this node (an edge of the cluster set to serve players only); null: accepted.</summary>
    public string? PublishRefusal { get; init; }
}
