using Platform.Api.Hosting;

namespace Platform.Api.Endpoints;

/// <summary>The Prometheus scrape endpoint, mapped with the management routes (never on the media or API port).</summary>
public static class TelemetryEndpoints
{
    public const string MetricsPath = "/metrics";

    public static void MapTelemetryEndpoints(this IEndpointRouteBuilder routes)
    {
        var settings = routes.ServiceProvider.GetRequiredService<TelemetrySettings>();
        routes.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
        {
            if (settings.Current.Prometheus.Enabled)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }), optionsName: null);
    }
}
