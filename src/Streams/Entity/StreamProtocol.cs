using Akka.Actor;
using Platform.Media.Codecs;
using Platform.Streams.Clients;

namespace Platform.Streams.Entity;

/// <summary>Every message addressed to a stream entity carries its key; the shard extractor reads it.</summary>
public interface IStreamCommand
{
    StreamKey Stream { get; }
}

/// <summary>A client asks to publish; <paramref name="Session"/> is watched for as long as it publishes.</summary>
public sealed record PublishStream(StreamKey Stream, ClientInfo Client, IActorRef Session) : IStreamCommand;

public sealed record UnpublishStream(StreamKey Stream, string ClientId) : IStreamCommand;

/// <summary>A client asks to play; <paramref name="Session"/> is watched for as long as it plays.</summary>
public sealed record PlayStream(StreamKey Stream, ClientInfo Client, IActorRef Session) : IStreamCommand;

public sealed record StopPlaying(StreamKey Stream, string ClientId) : IStreamCommand;

/// <summary>The publisher's node reports the data plane's counters and codecs every few seconds.</summary>
public sealed record ReportStreamStats(StreamKey Stream, string PublisherId, StreamCounters Counters) : IStreamCommand;

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

public sealed record PublishAccepted(StreamKey Stream, Address PublisherNode);

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

    public bool IsEmpty => Publisher is null && Readers.Count == 0 && !Workers.Any(w => w.Running);
}
