using Platform.Api.Hosting;

namespace Platform.Api.Endpoints;

public static class EndpointMapping
{
    /// <summary>Each port gets its own routes: media on Http:Port, the API on Api:Port, probes on Management:Port.</summary>
    public static void MapPlatformEndpoints(this WebApplication app, PlatformOptions options)
    {
        var drain = app.Services.GetRequiredService<NodeDrain>();
        var relay = app.Services.GetRequiredService<HlsRelay>();
        var hlsSessions = app.Services.GetRequiredService<Platform.Ingest.Hls.HlsSessionRegistry>();
        app.MapWhen(c => c.Connection.LocalPort == options.Http.Port, media => media.Use((context, next) =>
        {
            // A draining node turns away new media requests (a balancer retries them on another node), except
            // the other nodes' fetches of HLS it still packages.
            if (drain.IsDraining && !relay.IsFromNode(context.Request))
            {
                if (context.Request.Query[Platform.Media.Hls.HlsSessionPlaylist.ContextParameter].FirstOrDefault() is { Length: > 0 } hlsContext)
                {
                    hlsSessions.Moved(hlsContext);
                }

                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                context.Response.Headers.Connection = "close";
                return Task.CompletedTask;
            }

            return next(context);
        }).UseRouting().UseEndpoints(e => e.MapMediaEndpoints()));
        var gate = app.Services.GetRequiredService<ApiGate>();
        app.MapWhen(c => c.Connection.LocalPort == options.Api.Port, api => api.Use(gate.InvokeAsync).UseRouting().UseEndpoints(e =>
        {
            e.MapApiEndpoints();
            e.MapSourceEndpoints();
            e.MapTokenEndpoints();
        }));
        app.MapWhen(c => c.Connection.LocalPort == options.Management.Port, management => management.UseRouting().UseEndpoints(e => e.MapManagementEndpoints()));
    }
}
