using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
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

    public async Task<IReadOnlyList<StreamSnapshot>> ListAsync(CancellationToken cancellationToken)
    {
        var state = await control.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, control.Options.AskTimeout, cancellationToken);
        var asks = new List<Task<StreamSnapshot>>();
        foreach (var shard in state.Shards)
        {
            foreach (var entityId in shard.EntityIds)
            {
                asks.Add(control.Region.Ask<StreamSnapshot>(new GetStream(StreamKey.Parse(entityId)), control.Options.AskTimeout, cancellationToken));
            }
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
        return snapshots;
    }
}
