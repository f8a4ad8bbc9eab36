using Akka.Actor;
using Platform.Streams.Clients;

namespace Platform.Streams.Entity;

public enum PublishDecision
{
    Accept,
    RejectBusy,

    /// <summary>The current publisher's node is unreachable: the new publisher takes the stream over.</summary>
    TakeOver,
}

/// <summary>
/// The decisions of one stream, free of actors: who may publish, who reads, when the stream can go.
/// The entity applies them; tests call them directly.
/// </summary>
public sealed class StreamState
{
    private readonly Dictionary<string, ClientInfo> _readers = new(StringComparer.Ordinal);

    public StreamState(StreamKey key, DateTimeOffset now)
    {
        Key = key;
        CreatedAt = now;
        LastActive = now;
    }

    public StreamKey Key { get; }

    public DateTimeOffset CreatedAt { get; }

    public ClientInfo? Publisher { get; private set; }

    public Address? PublisherNode { get; private set; }

    public IReadOnlyCollection<ClientInfo> Readers => _readers.Values;

    public DateTimeOffset LastActive { get; private set; }

    public StreamCounters Counters { get; private set; } = Empty;

    public static StreamCounters Empty { get; } = new(0, 0, 0, 0, 0, null, null);

    public bool IsIdle => Publisher is null && _readers.Count == 0;

    /// <summary>Where other nodes fetch the stream from (the publisher node's media link listener).</summary>
    public string? PublisherEndpoint { get; private set; }

    /// <summary>
    /// One publisher at a time: a second one is refused and the first is left untouched, unless the first
    /// one's node is unreachable (<paramref name="publisherNodeReachable"/> false): an encoder that moved to
    /// another node after its node died must not wait for the failure to be confirmed.
    /// </summary>
    public PublishDecision DecidePublish(ClientInfo client, bool publisherNodeReachable = true)
    {
        if (Publisher is null || Publisher.Id == client.Id)
        {
            return PublishDecision.Accept;
        }

        return publisherNodeReachable ? PublishDecision.RejectBusy : PublishDecision.TakeOver;
    }

    public void Published(ClientInfo client, Address node, DateTimeOffset now, string? endpoint = null)
    {
        Publisher = client;
        PublisherNode = node;
        PublisherEndpoint = endpoint;
        Counters = Empty;
        LastActive = now;
    }

    /// <summary>Ends the publish if <paramref name="clientId"/> is the publisher; true if it was.</summary>
    public bool Unpublished(string clientId, DateTimeOffset now)
    {
        if (Publisher?.Id != clientId)
        {
            return false;
        }

        Publisher = null;
        PublisherNode = null;
        PublisherEndpoint = null;
        LastActive = now;
        return true;
    }

    public void ReaderJoined(ClientInfo client, DateTimeOffset now)
    {
        _readers[client.Id] = client;
        LastActive = now;
    }

    public bool ReaderLeft(string clientId, DateTimeOffset now)
    {
        if (!_readers.Remove(clientId))
        {
            return false;
        }

        LastActive = now;
        return true;
    }

    public void Reported(string publisherId, StreamCounters counters)
    {
        if (Publisher?.Id == publisherId)
        {
            Counters = counters;
        }
    }

    /// <summary>Passivate when nobody has published or read for the idle timeout.</summary>
    public bool ShouldPassivate(DateTimeOffset now, TimeSpan idleTimeout) =>
        IsIdle && now - LastActive >= idleTimeout;

    public StreamSnapshot Snapshot() =>
        new(Key, Publisher, PublisherNode, [.. _readers.Values], CreatedAt, Counters);
}
