namespace Platform.Streams.Hub;

/// <summary>What every hub of a node has carried since the node started, hubs already freed included.</summary>
public readonly record struct HubTotals(long FramesIn, long BytesIn, long BytesOut)
{
    public HubTotals Add(HubStats stats) => new(FramesIn + stats.FramesIn, BytesIn + stats.BytesIn, BytesOut + stats.BytesOut);
}
