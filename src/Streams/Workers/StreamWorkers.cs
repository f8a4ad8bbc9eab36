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
    /// <param name="lineage">How the stream was made (empty: published from outside); rules and loop checks read it.</param>
    IReadOnlyList<WorkerDecision> WorkersFor(StreamKey stream, IReadOnlyList<Access.LineageStep> lineage);

    /// <summary>A worker an operator asks for (e.g. recording on demand), even if its rule has it off.</summary>
    WorkerDecision OnDemand(StreamKey stream, IReadOnlyList<Access.LineageStep> lineage, string name);
}

/// <summary>No workers: the default for tests and nodes without rules.</summary>
public sealed class NoWorkers : IStreamWorkerFactory
{
    public static readonly NoWorkers Instance = new();

    public IReadOnlyList<WorkerDecision> WorkersFor(StreamKey stream, IReadOnlyList<Access.LineageStep> lineage) => [];

    public WorkerDecision OnDemand(StreamKey stream, IReadOnlyList<Access.LineageStep> lineage, string name) => new(name, null, "this node runs no workers");
}

/// <summary>Told to a stream's workers when its publisher comes or goes.</summary>
public sealed record PublisherChanged(bool Publishing);

/// <summary>What the API shows of a stream's worker.</summary>
public sealed record WorkerStatus(string Name, bool Running, string Reason)
{
    /// <summary>A supervised process's state (<c>starting</c>, <c>running</c>, <c>restarting</c>, <c>failed</c>), for engines.</summary>
    public string? State { get; init; }

    /// <summary>The stream a worker publishes (an engine's rendition).</summary>
    public string? Output { get; init; }

    public int Restarts { get; init; }

    /// <summary>The last lines of the worker's process log.</summary>
    public IReadOnlyList<string>? Log { get; init; }
}

/// <summary>
/// A worker tells its entity how it is doing (an engine's process state), so that the stream's status
/// shows it; the entity keeps the last one per worker.
/// </summary>
public sealed record WorkerReport(string Name, string State, string Reason, string? Output, int Restarts, IReadOnlyList<string> Log);

/// <summary>An operator starts a worker of a live stream (nginx-rtmp's control module: record start).</summary>
public sealed record StartWorker(StreamKey Stream, string Name) : Entity.IStreamCommand;

/// <summary>An operator stops a worker of a stream (record stop); a recording is finalized.</summary>
public sealed record StopWorker(StreamKey Stream, string Name) : Entity.IStreamCommand;

/// <summary>The answer to <see cref="StartWorker"/> and <see cref="StopWorker"/>.</summary>
public sealed record WorkerControlled(bool Done, string Reason);
