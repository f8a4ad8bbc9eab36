using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Platform.Api.Endpoints;
using Platform.Api.Hosting;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;

namespace Platform.Api.Nodes;

/// <summary>
/// Every node's answerer for the cluster-wide API (<c>/user/node-api</c>): its clients, kicks of its
/// clients, its summary and the stream entities it hosts. The API of any node asks each member's.
/// </summary>
public sealed class NodeApiActor : ReceiveActor
{
    public const string Name = "node-api";

    public NodeApiActor(StreamControl control, SystemStats stats, NodeIdentity identity, Func<int> links, IActorRef catalog, Action<string> drain)
    {
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<ListNodeClients>(_ => Sender.Tell(new NodeClients(self, [.. control.Clients.Snapshot().Where(c => c.Info.Internal is null).Select(c => new ClientView(c.Info, c.BytesSent, c.BytesReceived) { LastActive = c.LastActive })])));
        Receive<GetNodeSummary>(_ =>
        {
            var json = JsonSerializer.Serialize(ApiEndpoints.SummaryJson(stats.Sample(), identity, control.Clients.Count));
            var sender = Sender;
            var counts = new NodeSummary(self, json, control.Clients.Count) { Hubs = control.Hubs.Count, Links = links() };
            control.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, control.Options.AskTimeout)
                .ContinueWith(t => counts with { Entities = t.IsCompletedSuccessfully ? t.Result.Shards.Sum(s => s.EntityIds.Count) : -1 }, TaskScheduler.Default)
                .PipeTo(sender);
        });
        Receive<KickNodeClient>(m =>
        {
            var client = control.Clients.Find(m.ClientId);
            if (client is null)
            {
                Sender.Tell(new NodeKickResult(self, null, false));
                return;
            }

            var info = client.Info;
            ApiEndpoints.KickAndWaitAsync(client, m.Reason)
                .ContinueWith(t => new NodeKickResult(self, info, t.Result), TaskScheduler.Default)
                .PipeTo(Sender);
        });
        Receive<RegisterReadersAgain>(m =>
        {
            var count = control.RegisterReadersAgain(m.Stream);
            Context.GetLogger().Info("stream {0}: {1} player(s) of this node registered again with its restarted entity", m.Stream, count);
        });
        Receive<DrainNode>(m =>
        {
            Context.GetLogger().Warning("asked to leave the cluster: {0}", m.Reason);
            drain(m.Reason);
            Sender.Tell(new NodeDraining(self));
        });
        Receive<PlayAccepted>(_ => { });
        Receive<PlayRejected>(_ => { });
        Receive<ListNodeDvrs>(m =>
        {
            catalog.Ask<Platform.Workers.Dvr.Catalog.DvrList>(new Platform.Workers.Dvr.Catalog.ListDvrs(m.Vhost, m.App, m.Stream), TimeSpan.FromSeconds(2.5))
                .ContinueWith(t => t.IsCompletedSuccessfully ? new NodeDvrs(self, t.Result.Entries) : (object)new Status.Failure(t.Exception!), TaskScheduler.Default)
                .PipeTo(Sender);
        });
        Receive<ListNodeEntities>(_ =>
        {
            control.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, control.Options.AskTimeout)
                .ContinueWith(
                    t => new NodeEntities(self, t.IsCompletedSuccessfully ? [.. t.Result.Shards.SelectMany(s => s.EntityIds)] : []),
                    TaskScheduler.Default)
                .PipeTo(Sender);
        });
    }

    public static Props Props(StreamControl control, SystemStats stats, NodeIdentity identity, Func<int> links, IActorRef catalog, Action<string> drain) =>
        Akka.Actor.Props.Create(() => new NodeApiActor(control, stats, identity, links, catalog, drain));
}
