using Akka.Actor;
using Akka.Discovery.Config.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;

namespace Platform.Api.Hosting;

/// <summary>
/// How a node becomes a cluster member: by <c>Cluster:Seeds</c>, alone, or by Akka Cluster Bootstrap over
/// service discovery (<c>Cluster:Bootstrap</c>). Bootstrap's contact point (<c>/bootstrap/seed-nodes</c>) is
/// served by Kestrel on the management port (<see cref="Endpoints.ManagementEndpoints"/>): the package's own
/// HTTP server is never started.
/// </summary>
public static class ClusterFormation
{
    public static AkkaConfigurationBuilder WithClusterFormation(this AkkaConfigurationBuilder builder, PlatformOptions options)
    {
        var bootstrap = options.Cluster.Bootstrap;
        if (!bootstrap.Enabled)
        {
            return builder;
        }

        var host = ManagementHostname(options);
        builder.WithAkkaManagement(host, options.Management.Port, options.Management.BindAddress, options.Management.Port, autoStart: false);
        if (bootstrap.IsKubernetes)
        {
            builder.WithKubernetesDiscovery(new KubernetesDiscoveryOptions
            {
                PodLabelSelector = bootstrap.PodLabelSelector,
                PodNamespace = bootstrap.PodNamespace,
            });
        }
        else
        {
            builder.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
            {
                Services = [new Service { Name = bootstrap.ServiceName, Endpoints = [.. bootstrap.Endpoints] }],
            });
        }

        var required = bootstrap.RequiredContactPoints ?? (bootstrap.IsKubernetes ? 2 : bootstrap.Endpoints.Count);
        var settings = new ClusterBootstrapOptions();
        settings.ContactPointDiscovery.ServiceName = bootstrap.ServiceName;
        settings.ContactPointDiscovery.PortName = bootstrap.IsKubernetes ? bootstrap.PortName : null;
        settings.ContactPointDiscovery.RequiredContactPointsNr = required;

        // Discovery must give the same answer this long before the lowest-addressed node forms the cluster.
        settings.ContactPointDiscovery.StableMargin = TimeSpan.FromSeconds(3);
        settings.ContactPointDiscovery.Interval = TimeSpan.FromSeconds(1);
        settings.ContactPoint.FallbackPort = options.Management.Port;

        // Several nodes on one host differ only by port: keep every discovered port, not only this node's.
        settings.ContactPoint.FilterOnFallbackPort = false;
        settings.ContactPoint.ProbeInterval = TimeSpan.FromSeconds(1);
        return builder.WithClusterBootstrap(settings, autoStart: false);
    }

    /// <summary>Joins the cluster once the actor system runs: by bootstrap when configured, else seeds (by configuration) or itself.</summary>
    public static void Join(ActorSystem system, PlatformOptions options, ILogger log, Action<string> fail)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var timeout = options.Cluster.JoinTimeout;
        _ = Task.Delay(timeout).ContinueWith(
            _ =>
            {
                if (!system.WhenTerminated.IsCompleted && cluster.SelfMember.Status is not (Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Leaving or Akka.Cluster.MemberStatus.Exiting or Akka.Cluster.MemberStatus.Down))
                {
                    fail(NotJoined(options, timeout));
                }
            },
            TaskScheduler.Default);
        if (options.Cluster.Bootstrap.Enabled)
        {
            var bootstrap = ClusterBootstrap.Get(system);
            var self = new Uri($"http://{ManagementHostname(options)}:{options.Management.Port}/");

            // Sets bootstrap's own contact point (the routes it returns are served by Kestrel instead).
            bootstrap.Routes(ManagementRouteProviderSettings.Create(self, readOnly: true));
            log.LogInformation("cluster bootstrap: {Discovery} discovery of {Service}, this node's contact point {Self}",
                options.Cluster.Bootstrap.Discovery, options.Cluster.Bootstrap.ServiceName, self);
            _ = bootstrap.Start().ContinueWith(t => log.LogError(t.Exception, "cluster bootstrap failed to start"), TaskContinuationOptions.OnlyOnFaulted);
        }
        else if (options.Cluster.Seeds.Count == 0)
        {
            cluster.Join(cluster.SelfAddress);
        }
    }

    /// <summary>Why a node is not a member after <c>Cluster:JoinTimeout</c>, naming the keys to look at.</summary>
    public static string NotJoined(PlatformOptions options, TimeSpan timeout)
    {
        var cluster = options.Cluster;
        var how = cluster.Bootstrap.Enabled
            ? $"Cluster:Bootstrap ({cluster.Bootstrap.Discovery} discovery) found no cluster to join and did not form one: check Cluster:Bootstrap:Endpoints / RequiredContactPoints and that the other nodes' management ports answer"
            : $"no node of Cluster:Seeds ({string.Join(", ", cluster.Seeds)}) answered: check the addresses, Cluster:Port and Cluster:Hostname of the seeds";
        return $"not a cluster member after {timeout.TotalSeconds:0} s (Cluster:JoinTimeout): {how}";
    }

    public static string ManagementHostname(PlatformOptions options) => options.Management.Hostname ?? options.Cluster.Hostname;
}
