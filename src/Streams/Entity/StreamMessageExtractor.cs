using Akka.Cluster.Sharding;

namespace Platform.Streams.Entity;

/// <summary>Routes every <see cref="IStreamCommand"/> to the entity named by its stream key.</summary>
public sealed class StreamMessageExtractor : HashCodeMessageExtractor
{
    public StreamMessageExtractor(int maxShards = 100) : base(maxShards) { }

    public override string? EntityId(object message) => message switch
    {
        IStreamCommand command => command.Stream.EntityId,
        _ => null,
    };
}
