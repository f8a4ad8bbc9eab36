using Platform.Sources.Config;
using Platform.Sources.Workers;
using Platform.Streams;
using Platform.Streams.Sources;

namespace Platform.Sources;

/// <summary>The node's answer to "is this stream pulled, and how": the catalog in force, and a worker to run it.</summary>
public sealed class SourceFactory(Func<SourceCatalog> catalog, SourceHost host) : IStreamSourceFactory
{
    public SourceDecision? SourceFor(StreamKey stream) =>
        catalog().Resolve(stream) is { } spec
            ? new SourceDecision(SourceWorkerActor.Props(spec, host), spec.AlwaysOn, spec.Rule.CloseAfter, spec.Shown, spec.Kind)
            : null;
}
