using System.Collections.Concurrent;

namespace Platform.Streams.Clients;

/// <summary>The connections of this node, for the API's client list and kicks.</summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<string, IClientSession> _clients = new(StringComparer.Ordinal);

    public int Count => _clients.Count;

    public void Add(IClientSession session) => _clients[session.Info.Id] = session;

    /// <summary>Adds a session whose id was not chosen here (an HLS context a player sent back); false if the id is taken.</summary>
    public bool TryAdd(IClientSession session) => _clients.TryAdd(session.Info.Id, session);

    public void Remove(IClientSession session) =>
        _clients.TryRemove(new KeyValuePair<string, IClientSession>(session.Info.Id, session));

    public IClientSession? Find(string id) => _clients.GetValueOrDefault(id);

    public IReadOnlyList<IClientSession> Snapshot()
    {
        var list = _clients.Values.ToList();
        list.Sort((a, b) => a.Info.ConnectedAt.CompareTo(b.Info.ConnectedAt));
        return list;
    }
}
