using System.Collections.Concurrent;
using Akka.Actor;

namespace Platform.Streams.Clients;

/// <summary>The connections of this node and their control-plane actors, for the API's client list and kicks.</summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);

    public int Count => _clients.Count;

    public void Add(IClientSession session, IActorRef actor) => _clients[session.Info.Id] = new Entry(session) { Actor = actor };

    /// <summary>
    /// Adds a session whose id was not chosen here (an HLS context a player sent back); false if the id is
    /// taken. Its actor is made only once the id is its own.
    /// </summary>
    public bool TryAdd(IClientSession session, Func<IActorRef> actor)
    {
        var entry = new Entry(session);
        if (!_clients.TryAdd(session.Info.Id, entry))
        {
            return false;
        }

        entry.Actor = actor();
        return true;
    }

    public void Remove(IClientSession session)
    {
        if (_clients.TryGetValue(session.Info.Id, out var entry) && ReferenceEquals(entry.Session, session))
        {
            _clients.TryRemove(new KeyValuePair<string, Entry>(session.Info.Id, entry));
        }
    }

    public IClientSession? Find(string id) => _clients.GetValueOrDefault(id)?.Session;

    /// <summary>The control-plane actor of a client (the one its stream's entity watches), or null.</summary>
    public IActorRef? ActorOf(string id) => _clients.GetValueOrDefault(id)?.Actor;

    public IReadOnlyList<IClientSession> Snapshot()
    {
        var list = _clients.Values.Select(e => e.Session).ToList();
        list.Sort((a, b) => a.Info.ConnectedAt.CompareTo(b.Info.ConnectedAt));
        return list;
    }

    private sealed class Entry(IClientSession session)
    {
        public IClientSession Session { get; } = session;

        public IActorRef? Actor { get; set; }
    }
}
