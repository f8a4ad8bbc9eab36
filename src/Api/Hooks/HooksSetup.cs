using Platform.Api.Hosting;
using Platform.Streams.Access;

namespace Platform.Api.Hooks;

public static class HooksSetup
{
    /// <summary>
    /// SRS-compatible HTTP callbacks: settings, the hook client, the notification sink and its background
    /// sender (<see cref="AddHookAccessCheck"/> adds the decisions). Validates the <c>Hooks</c> section now,
    /// so that a wrong value stops the start with the key that holds it.
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
        services.AddSingleton<HookNotifier>();
        services.AddSingleton<IClientEventSink>(sp => sp.GetRequiredService<HookNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<HookNotifier>());
        return services;
    }

    /// <summary>
    /// on_connect, on_publish and on_play as an access check. Checks run in registration order and the
    /// first refusal wins, so this is registered after every other check (security first, hooks last).
    /// </summary>
    public static IServiceCollection AddHookAccessCheck(this IServiceCollection services) =>
        services.AddSingleton<IAccessCheck, HookAccessCheck>();
}
