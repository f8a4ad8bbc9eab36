using Platform.Streams.Clients;

namespace Platform.Api.Nodes;

/// <summary>Asked of every node's <see cref="NodeApiActor"/> to answer the API for the whole cluster.</summary>
public sealed record ListNodeClients
{
    public static readonly ListNodeClients Instance = new();
}

/// <summary>One client of a node, with the counters of its connection.</summary>
public sealed record ClientView(ClientInfo Info, long BytesSent, long BytesReceived)
{
    /// <summary>When an HLS viewer last asked this node for something (see <see cref="IClientSession.LastActive"/>).</summary>
    public DateTimeOffset? LastActive { get; init; }
}

public sealed record NodeClients(string Node, IReadOnlyList<ClientView> Clients);

/// <summary>Kicks a client of the asked node; answered when its session let go of its stream (bounded).</summary>
public sealed record KickNodeClient(string ClientId, string Reason);

public sealed record NodeKickResult(string Node, ClientInfo? Client, bool Closed);

public sealed record GetNodeSummary
{
    public static readonly GetNodeSummary Instance = new();
}

/// <summary>A node's summary (SRS's <c>/api/v1/summaries</c> data) as JSON, with its connection count.</summary>
public sealed record NodeSummary(string Node, string Json, int Connections)
{
    /// <summary>Stream hubs the node holds now (each stream in use there, published or linked).</summary>
    public int Hubs { get; init; }

    /// <summary>Media links the node holds open now (to other nodes' publishes).</summary>
    public int Links { get; init; }

    /// <summary>Stream entities the node hosts now.</summary>
    public int Entities { get; init; }
}

/// <summary>The stream entities a node hosts now (its shard region's local state).</summary>
public sealed record ListNodeEntities
{
    public static readonly ListNodeEntities Instance = new();
}

public sealed record NodeEntities(string Node, IReadOnlyList<string> EntityIds);

/// <summary>The recordings a node's catalog has, filtered like <c>/api/v1/dvrs</c>.</summary>
public sealed record ListNodeDvrs(string? Vhost, string? App, string? Stream);

public sealed record NodeDvrs(string Node, IReadOnlyList<Platform.Workers.Dvr.Catalog.DvrEntry> Entries);

/// <summary>Asks a node to drain and leave the cluster (a management Leave aimed at it); answered at once.</summary>
public sealed record DrainNode(string Reason);

public sealed record NodeDraining(string Node);

/// <summary>Pure decisions on the clients the nodes list.</summary>
public static class ClientViews
{
    /// <summary>
    /// One entry per client id. An HLS viewer that moved to another node (its node drained, or a balancer
    /// sent it elsewhere) keeps its id there while its old session waits for its timeout: it is counted once,
    /// where it asked last.
    /// </summary>
    public static IEnumerable<(ClientView View, string Node)> OnePerClient(IEnumerable<(ClientView View, string Node)> clients) =>
        clients.GroupBy(c => c.View.Info.Id, StringComparer.Ordinal)
            .Select(g => g.MaxBy(c => c.View.LastActive ?? DateTimeOffset.MaxValue));
}
