using Platform.Api.Hosting;
using Platform.Streams.Access;

namespace Platform.Api.Hooks;

public static class HooksSetup
{
    /// <summary>
    /// SRS-compatible HTTP callbacks: the decision check (after any security check: register this after
    /// them), the notification sink and its background sender. Validates the <c>Hooks</c> section now, so
    /// that a wrong value stops the start with the key that holds it.
    /// </summary>
    public static IServiceCollection AddPlatformHooks(this IServiceCollection services, IConfiguration configuration)
    {
        HookSettings.LoadOrThrow(configuration);
        services.AddSingleton<HookSettings>();
        services.AddSingleton<HookClient>();
        services.AddSingleton<PublisherDirectory>();
        services.AddSingleton(sp =>
        {
            var node = sp.GetRequiredService<NodeIdentity>();
            return new HookNode(node.ServerId, node.ServiceId, Directory.GetCurrentDirectory());
        });
        services.AddSingleton<IAccessCheck, HookAccessCheck>();
        services.AddSingleton<HookNotifier>();
        services.AddSingleton<IClientEventSink>(sp => sp.GetRequiredService<HookNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<HookNotifier>());
        return services;
    }
}
