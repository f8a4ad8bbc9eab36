using Platform.Ingest.Cluster;
using Platform.Streams;
using Platform.Streams.Cluster;

namespace Platform.Api.Hosting;

/// <summary>Media links between nodes: the listener other nodes fetch this node's publishes from, and this node's own links.</summary>
public static class MediaLinkSetup
{
    public static IServiceCollection AddMediaLinks(this IServiceCollection services, ClusterNodeOptions cluster)
    {
        if (!cluster.LinksEnabled)
        {
            return services;
        }

        var options = new MediaLinkOptions { Secret = cluster.Secret, Linger = cluster.LinkLinger };
        services.AddSingleton(options);
        services.AddSingleton(new MediaLinkListenOptions(cluster.EffectiveMediaBindAddress, cluster.MediaPort));
        services.AddSingleton<MediaLinks>();
        services.AddSingleton<MediaLinkServer>();
        services.AddHostedService(sp =>
        {
            // The control plane learns of the links once, before any session can use it.
            var control = sp.GetRequiredService<StreamControl>();
            control.Links = sp.GetRequiredService<MediaLinks>();
            control.MediaEndpoint = cluster.MediaEndpoint;
            return sp.GetRequiredService<MediaLinkServer>();
        });
        return services;
    }
}
