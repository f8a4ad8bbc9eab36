using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Platform.Streams;
using Platform.Streams.Entity;
using Platform.Streams.Workers;

namespace Platform.Api.Hosting;

/// <summary>The node's actor system: remoting, clustering, the stream shard region, persistence.</summary>
public static class AkkaSetup
{
    public const string SystemName = "platform";

    public static IServiceCollection AddPlatformAkka(this IServiceCollection services, PlatformOptions options, StreamsOptions streams)
    {
        var cluster = options.Cluster;
        services.AddAkka(SystemName, (builder, provider) =>
        {
            builder
                .AddHocon(PersistenceHocon(options.Storage), HoconAddMode.Prepend)
                .AddHocon("akka.loglevel = INFO\nakka.cluster.log-info = off\nakka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 20s\n# The host stops the actor system after the node drained (see NodeDrain), never the CLR exit hook.\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off\nakka.cluster.downing-provider-class = \"Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster\"", HoconAddMode.Prepend)
                .AddHocon(FailoverHocon(cluster), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .WithRemoting(new RemoteOptions
                {
                    HostName = cluster.EffectiveBindAddress,
                    PublicHostName = cluster.Hostname,
                    Port = cluster.Port,
                })
                .WithClustering(new ClusterOptions
                {
                    SeedNodes = [.. cluster.Seeds],
                    Roles = [.. cluster.Roles],
                })
                .WithClusterFormation(options)
                .WithPlatformHealthChecks()
                .WithStreamRegion(cluster, entityId => StreamActor.Props(StreamKey.Parse(entityId), streams.IdleTimeout, null, provider.GetRequiredService<IStreamWorkerFactory>(), $"{cluster.Hostname}:{options.Http.Port}", provider.GetRequiredService<WorkerRegions>().Placement, provider.GetRequiredService<Platform.Streams.Sources.IStreamSourceFactory>()))
                .WithCustomSerializer("platform-cluster", Platform.Api.Nodes.ClusterMessageSerializer.BoundTypes, system => new Platform.Api.Nodes.ClusterMessageSerializer(system))
                .WithCustomSerializer("dvr-catalog", [typeof(Platform.Workers.Dvr.Catalog.DvrRecorded)], system => new Platform.Workers.Dvr.Catalog.DvrCatalogSerializer(system))
                .WithActors((system, registry) =>
                {
                    provider.GetRequiredService<WorkerRegions>().Start(system, options.Placement, cluster.Roles, provider.GetRequiredService<IStreamWorkerFactory>());
                    var catalog = system.ActorOf(Platform.Workers.Dvr.Catalog.DvrCatalogActor.Props("dvr-catalog-" + provider.GetRequiredService<NodeIdentity>().ServerId), "dvr-catalog");
                    registry.Register<DvrCatalog>(catalog);
                    system.ActorOf(Platform.Api.Nodes.NodeApiActor.Props(provider.GetRequiredService<StreamControl>(), provider.GetRequiredService<SystemStats>(), provider.GetRequiredService<NodeIdentity>(), () => provider.GetService<Platform.Ingest.Cluster.MediaLinks>()?.Count ?? 0, catalog, reason => provider.GetRequiredService<NodeDrain>().Begin(reason)), Platform.Api.Nodes.NodeApiActor.Name);

                    var sourceRules = provider.GetRequiredService<SourceRules>();
                    var control = provider.GetRequiredService<StreamControl>();
                    system.ActorOf(Platform.Sources.SourceKeeperActor.Props(() => sourceRules.Catalog, () => control.Region), "source-keeper");

                    if (cluster.LinksEnabled)
                    {
                        system.ActorOf(Platform.Api.Nodes.SecretCheck.Props(System.Text.Encoding.UTF8.GetBytes(cluster.Secret!), reason => provider.GetRequiredService<NodeDrain>().Fail(reason)), Platform.Api.Nodes.SecretCheck.Name);
                    }

                    foreach (var recovered in provider.GetRequiredService<RecoveredRecordings>())
                    {
                        catalog.Tell(recovered);
                    }
                })
                .AddStartup((system, registry) =>
                {
                    var readiness = provider.GetRequiredService<Readiness>();
                    if (cluster.IsEdge)
                    {
                        readiness.OriginsAvailable(false);
                        system.ActorOf(OriginWatch.Props(readiness), "origin-watch");
                    }

                    ClusterFormation.Join(system, options, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Cluster"), reason => provider.GetRequiredService<NodeDrain>().Fail(reason));
                });
        });
        return services;
    }

    /// <summary>
    /// The stream entities' shard region: on every node by default; with roles, on the origins only, and an
    /// edge gets a proxy (it asks the origins' entities, hosts none and runs no worker).
    /// </summary>
    private static AkkaConfigurationBuilder WithStreamRegion(this AkkaConfigurationBuilder builder, ClusterNodeOptions cluster, Func<string, Props> entity)
    {
        if (cluster.IsEdge)
        {
            return builder.WithShardRegionProxy<StreamRegion>("streams", ClusterNodeOptions.OriginRole, new StreamMessageExtractor());
        }

        return builder.WithShardRegion<StreamRegion>(
            "streams",
            entity,
            new StreamMessageExtractor(),
            new ShardOptions
            {
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                Role = cluster.EntityRole,
            });
    }

    /// <summary>
    /// How fast a dead node's streams move: a node silent for 2.5 s is unreachable, the split-brain resolver
    /// (keep-majority) downs it after <see cref="ClusterNodeOptions.DownAfter"/> of stability, its shards start
    /// elsewhere a second after that (instead of waiting the stability time again: stream entities hold no
    /// persistent state that two copies could corrupt), and regions ask again for a moved shard's home every second.
    /// </summary>
    public static string FailoverHocon(ClusterNodeOptions cluster) => $"""
        akka.cluster.split-brain-resolver.active-strategy = keep-majority
        akka.cluster.split-brain-resolver.stable-after = {(int)cluster.DownAfter.TotalMilliseconds}ms
        akka.cluster.down-removal-margin = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2500ms
        akka.cluster.sharding.retry-interval = 1s
        """;

    /// <summary>Akka.Persistence.Sql: SQLite under the storage root by default, PostgreSQL by configuration.</summary>
    public static string PersistenceHocon(StorageOptions storage)
    {
        var provider = storage.IsPostgreSql ? "PostgreSQL.15" : "SQLite.MS";
        var connection = storage.EffectiveConnectionString
            ?? throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is postgresql");
        var quoted = "\"" + connection.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return $$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              connection-string = {{quoted}}
              provider-name = "{{provider}}"
              auto-initialize = on
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              connection-string = {{quoted}}
              provider-name = "{{provider}}"
              auto-initialize = on
            }
            akka.persistence.query.journal.sql {
              class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
              connection-string = {{quoted}}
              provider-name = "{{provider}}"
              auto-initialize = on
            }
            """;
    }
}

/// <summary>
/// The shard regions of worker hosts, one per role named in <c>Placement</c>: a region on a node with the
/// role (it hosts such workers), a proxy on the others (their entities send workers there).
/// </summary>
public sealed class WorkerRegions
{
    public WorkerPlacement Placement { get; private set; } = WorkerPlacement.None;

    public void Start(ActorSystem system, PlacementOptions placement, IReadOnlyCollection<string> selfRoles, IStreamWorkerFactory factory)
    {
        var sharding = ClusterSharding.Get(system);
        var regions = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        foreach (var role in placement.Roles)
        {
            var name = WorkerPlacement.RegionName(role);
            regions[role] = selfRoles.Contains(role)
                ? sharding.Start(name, _ => WorkerHostActor.Props(factory), ClusterShardingSettings.Create(system).WithRole(role).WithStateStoreMode(StateStoreMode.DData).WithRememberEntities(false), new HostedWorkerExtractor())
                : sharding.StartProxy(name, role, new HostedWorkerExtractor());
        }

        Placement = new WorkerPlacement(placement, regions);
    }
}
