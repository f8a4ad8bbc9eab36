using Akka.Actor;

namespace Platform.Streams.Workers;

/// <summary>One worker a stream should run (HLS, DVR, ...), or why it does not.</summary>
public sealed record WorkerDecision(string Name, Props? Props, string Reason)
{
    public bool Runs => Props is not null;
}

/// <summary>
/// Decides, for a stream, which workers run as children of its entity. Implemented by the workers
/// layer from the app rules; the entity asks it on the first publish.
/// </summary>
public interface IStreamWorkerFactory
{
    IReadOnlyList<WorkerDecision> WorkersFor(StreamKey stream);
}

/// <summary>No workers: the default for tests and nodes without rules.</summary>
public sealed class NoWorkers : IStreamWorkerFactory
{
    public static readonly NoWorkers Instance = new();

    public IReadOnlyList<WorkerDecision> WorkersFor(StreamKey stream) => [];
}

/// <summary>Told to a stream's workers when its publisher comes or goes.</summary>
public sealed record PublisherChanged(bool Publishing);

/// <summary>What the API shows of a stream's worker.</summary>
public sealed record WorkerStatus(string Name, bool Running, string Reason);
