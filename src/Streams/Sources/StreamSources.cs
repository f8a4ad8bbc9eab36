using Akka.Actor;
using Platform.Streams.Entity;

namespace Platform.Streams.Sources;

/// <summary>
/// A stream that the platform pulls rather than waits for: where from, and when. The stream's entity starts
/// <see cref="Props"/> as its child <c>source</c> when the source is wanted (always, or while someone reads)
/// and stops it a linger after it is no longer wanted.
/// </summary>
/// <param name="Url">Where it is pulled from, as shown (credentials and tokens redacted).</param>
/// <param name="Kind">How: <c>rtmp</c> or <c>flv</c> (the platform's own clients), <c>ffmpeg</c>, or <c>origin</c> (an app's upstream).</param>
public sealed record SourceDecision(Props Props, bool AlwaysOn, TimeSpan CloseAfter, string Url, string Kind);

/// <summary>Which streams are pulled: implemented over the <c>Sources</c> settings and the apps' upstream origins.</summary>
public interface IStreamSourceFactory
{
    /// <summary>The stream's source, or null: it is published by clients only.</summary>
    SourceDecision? SourceFor(StreamKey stream);
}

public sealed class NoSources : IStreamSourceFactory
{
    public static readonly NoSources Instance = new();

    public SourceDecision? SourceFor(StreamKey stream) => null;
}

/// <summary>
/// Sent to an always-on source's entity by every node every few seconds: the entity starts the source if it
/// does not run, and the entity is started again on another node when its node dies.
/// </summary>
public sealed record KeepSource(StreamKey Stream) : IStreamCommand;

/// <summary>An operator starts a source (an on-demand one then runs without readers until stopped); answered with <see cref="Workers.WorkerControlled"/>.</summary>
public sealed record StartSource(StreamKey Stream) : IStreamCommand;

/// <summary>An operator stops a source (an always-on one stays off until started again); answered with <see cref="Workers.WorkerControlled"/>.</summary>
public sealed record StopSource(StreamKey Stream) : IStreamCommand;

/// <summary>What the API shows of a stream's source.</summary>
/// <param name="State"><c>idle</c> (not wanted), <c>starting</c>, <c>running</c>, <c>restarting</c>, <c>failed</c>, <c>stopped</c> (by an operator).</param>
/// <param name="Since">When it came to this state.</param>
public sealed record SourceStatus(string Url, string Kind, bool AlwaysOn, string State, string Reason, int Restarts, DateTimeOffset Since)
{
    /// <summary>The last error of a run that ended, kept while the next one runs.</summary>
    public string? LastError { get; init; }

    /// <summary>When the current run started delivering media; null while it does not.</summary>
    public DateTimeOffset? RunningSince { get; init; }

    public IReadOnlyList<string> Log { get; init; } = [];
}

/// <summary>A source worker's report to its entity (the name of the child is always <see cref="Name"/>).</summary>
public sealed record SourceReport(string State, string Reason, int Restarts, string? LastError, DateTimeOffset? RunningSince)
{
    public const string Name = "source";

    /// <summary>The last lines of ffmpeg's log, for a source pulled through it.</summary>
    public IReadOnlyList<string> Log { get; init; } = [];
}
