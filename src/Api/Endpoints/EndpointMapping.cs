using Platform.Api.Hosting;

namespace Platform.Api.Endpoints;

public static class EndpointMapping
{
    /// <summary>Each port gets its own routes: media on Http:Port, the API on Api:Port, probes on Management:Port.</summary>
    public static void MapPlatformEndpoints(this WebApplication app, PlatformOptions options)
    {
        app.MapWhen(c => c.Connection.LocalPort == options.Http.Port, media => media.UseRouting().UseEndpoints(e => e.MapMediaEndpoints()));
        var gate = app.Services.GetRequiredService<ApiGate>();
        app.MapWhen(c => c.Connection.LocalPort == options.Api.Port, api => api.Use(gate.InvokeAsync).UseRouting().UseEndpoints(e =>
        {
            e.MapApiEndpoints();
            e.MapTokenEndpoints();
        }));
        app.MapWhen(c => c.Connection.LocalPort == options.Management.Port, management => management.UseRouting().UseEndpoints(e => e.MapManagementEndpoints()));
    }
}
