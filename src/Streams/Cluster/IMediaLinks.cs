namespace Platform.Streams.Cluster;

/// <summary>
/// This node's media links to the other nodes of the cluster. Every local reader of a stream (a player of
/// any protocol, a worker) takes a demand; while a stream has demand and is published on another node,
/// one link per stream feeds the local hub from that node, as if it were the publisher. The link closes a
/// linger after the last demand is released.
/// </summary>
public interface IMediaLinks
{
    /// <summary>Takes a demand for the stream; dispose it when the reader leaves.</summary>
    IDisposable Demand(StreamKey stream);

    /// <summary>
    /// A local publisher needs the hub that the stream's link feeds (the remote publish just ended and the
    /// link has not seen it yet): the link lets go of the hub. True if a link did.
    /// </summary>
    bool Yield(StreamKey stream);
}

/// <summary>A node alone: nothing to link to.</summary>
public sealed class NoMediaLinks : IMediaLinks
{
    public static readonly NoMediaLinks Instance = new();

    public IDisposable Demand(StreamKey stream) => Nothing.Instance;

    public bool Yield(StreamKey stream) => false;

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }
}
