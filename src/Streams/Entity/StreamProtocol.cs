using Akka.Actor;
using Platform.Media.Codecs;
using Platform.Streams.Clients;

namespace Platform.Streams.Entity;

/// <summary>Every message addressed to a stream entity carries its key; the shard extractor reads it.</summary>
public interface IStreamCommand
{
    StreamKey Stream { get; }
}

/// <summary>
/// A client asks to publish; <paramref name="Session"/> is watched for as long as it publishes.
/// <paramref name="MediaEndpoint"/> is the publisher node's media link listener (<c>host:port</c>), where
/// other nodes fetch the stream; null on a node that serves no links.
/// </summary>
public sealed record PublishStream(StreamKey Stream, ClientInfo Client, IActorRef Session, string? MediaEndpoint = null) : IStreamCommand;

public sealed record UnpublishStream(StreamKey Stream, string ClientId) : IStreamCommand;

/// <summary>A client asks to play; <paramref name="Session"/> is watched for as long as it plays.</summary>
public sealed record PlayStream(StreamKey Stream, ClientInfo Client, IActorRef Session) : IStreamCommand;

public sealed record StopPlaying(StreamKey Stream, string ClientId) : IStreamCommand;

/// <summary>
/// The publisher's node reports the data plane's counters and codecs every few seconds. It carries the
/// publish itself, so an entity that was started again elsewhere (its node died) gets its publisher back.
/// </summary>
public sealed record ReportStreamStats(StreamKey Stream, ClientInfo Publisher, IActorRef Session, string? MediaEndpoint, StreamCounters Counters) : IStreamCommand
{
    public string PublisherId => Publisher.Id;
}

/// <summary>
/// A node's media links ask where the stream is published and subscribe to changes: the entity answers
/// with a <see cref="PublisherLocation"/> now and tells <paramref name="Watcher"/> again at every publish
/// and unpublish, until <see cref="UnwatchPublisher"/> or the watcher's node is gone.
/// </summary>
public sealed record WatchPublisher(StreamKey Stream, IActorRef Watcher) : IStreamCommand;

public sealed record UnwatchPublisher(StreamKey Stream, IActorRef Watcher) : IStreamCommand;

/// <summary>
/// Sent by an entity that got its publisher back from a report (it was started again after its node died)
/// to every node's <c>/user/node-api</c>: each node registers its players of the stream again.
/// </summary>
public sealed record RegisterReadersAgain(StreamKey Stream)
{
    /// <summary>Path of the actor on every node that answers it.</summary>
    public const string NodeActorPath = "/user/node-api";
}

/// <summary>Where the stream is published now: the node and its media link endpoint; both null when nobody publishes.</summary>
public sealed record PublisherLocation(StreamKey Stream, Address? Node, string? MediaEndpoint, string? PublisherId);

public sealed record GetStream(StreamKey Stream) : IStreamCommand;

/// <summary>Asks the entity to end the publish (an operator's kick); the publisher's session is told to close.</summary>
public sealed record StopPublisher(StreamKey Stream) : IStreamCommand;

public sealed record StreamCounters(
    long Frames,
    long BytesIn,
    long BytesOut,
    int KbpsIn,
    int KbpsOut,
    VideoCodecInfo? Video,
    AudioCodecInfo? Audio);

/// <summary>The publish is the stream's; <paramref name="Workers"/> says which workers run for it and why (for the publisher's log).</summary>
public sealed record PublishAccepted(StreamKey Stream, Address PublisherNode, string Workers = "");

public sealed record PublishRejected(StreamKey Stream, string Reason);

/// <summary>Play allowed; <paramref name="Live"/> says whether a publisher is on now.</summary>
public sealed record PlayAccepted(StreamKey Stream, bool Live, Address? PublisherNode);

public sealed record PlayRejected(StreamKey Stream, string Reason);

/// <summary>What the control plane knows of a stream now.</summary>
public sealed record StreamSnapshot(
    StreamKey Stream,
    ClientInfo? Publisher,
    Address? PublisherNode,
    IReadOnlyList<ClientInfo> Readers,
    DateTimeOffset CreatedAt,
    StreamCounters Counters)
{
    /// <summary>The stream's workers (HLS, DVR, ...) and, for those that do not run, why.</summary>
    public IReadOnlyList<Workers.WorkerStatus> Workers { get; init; } = [];

    /// <summary>The node that hosts the stream's entity, and so its workers.</summary>
    public string? EntityNode { get; init; }

    /// <summary>The media HTTP endpoint (<c>host:port</c>) of <see cref="EntityNode"/>, where the stream's HLS files are.</summary>
    public string? WorkerHttp { get; init; }

    /// <summary>Where the stream is pulled from and how the pull is doing; null for a stream only clients publish.</summary>
    public Sources.SourceStatus? Source { get; init; }

    public bool IsEmpty => Publisher is null && Readers.Count == 0 && !Workers.Any(w => w.Running) && Source is null or { State: "idle" };
}
