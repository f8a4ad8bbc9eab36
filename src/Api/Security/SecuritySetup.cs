using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Api.Hosting;
using Platform.Streams.Access;
using Platform.Streams.Security;

namespace Platform.Api.Security;

public static class SecuritySetup
{
    /// <summary>
    /// Validates the <c>Security</c> section (a wrong value stops the start with its key) and registers the
    /// built-in protection as the first access check, so it runs before any hook.
    /// </summary>
    public static IServiceCollection AddStreamSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var (policy, fingerprint, errors) = SecurityRules.Load(configuration);
        if (policy is null)
        {
            throw new StartupException(string.Join("; ", errors));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SecurityRules(configuration, sp.GetRequiredService<ILogger<SecurityRules>>(), (policy, fingerprint)));
        services.AddSingleton<IAccessCheck, SecurityAccessCheck>();
        return services;
    }
}
