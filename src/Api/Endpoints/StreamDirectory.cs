using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Platform.Streams;
using Platform.Streams.Entity;

namespace Platform.Api.Endpoints;

/// <summary>Lists the live streams by asking the shard region for its entities and each entity for its state.</summary>
public sealed class StreamDirectory(StreamControl control)
{
    /// <summary>SRS-style stable id of a stream (<c>vid-</c> and 7 hex digits of its entity id's hash).</summary>
    public static string IdOf(StreamKey key) => HashId(key.EntityId);

    /// <summary><c>vid-</c> and the first 7 hex digits of the SHA-256 of <paramref name="name"/>.</summary>
    public static string HashId(string name) =>
        "vid-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..7];

    /// <summary>Streams of the whole cluster: every member lists the entities it hosts, and each entity is asked.</summary>
    public async Task<IReadOnlyList<StreamSnapshot>> ListAsync(CancellationToken cancellationToken) => (await ListClusterAsync(cancellationToken)).Streams;

    public async Task<(IReadOnlyList<StreamSnapshot> Streams, IReadOnlyList<string> Missing)> ListClusterAsync(CancellationToken cancellationToken)
    {
        var nodes = await new Nodes.ClusterApi(control).AskAllAsync<Nodes.NodeEntities>(Nodes.ListNodeEntities.Instance, cancellationToken);
        var asks = new List<Task<StreamSnapshot>>();
        foreach (var entityId in nodes.Answers.SelectMany(n => n.EntityIds).Distinct(StringComparer.Ordinal))
        {
            asks.Add(control.Region.Ask<StreamSnapshot>(new GetStream(StreamKey.Parse(entityId)), control.Options.AskTimeout, cancellationToken));
        }

        var snapshots = new List<StreamSnapshot>(asks.Count);
        foreach (var ask in asks)
        {
            try
            {
                var snapshot = await ask;
                if (!snapshot.IsEmpty)
                {
                    snapshots.Add(snapshot);
                }
            }
            catch (AskTimeoutException)
            {
                // An entity passivating while asked: it has nothing to list.
            }
        }

        snapshots.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return (snapshots, nodes.Missing);
    }
}
