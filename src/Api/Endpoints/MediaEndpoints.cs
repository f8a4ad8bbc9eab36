using Platform.Api.Hosting;
using Platform.Ingest.HttpFlv;
using Platform.Streams;

namespace Platform.Api.Endpoints;

public static class MediaEndpoints
{
    public static void MapMediaEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/{app}/{file}", PlayFlvAsync);
    }

    private static async Task PlayFlvAsync(HttpContext context, string app, string file, StreamControl control, PlatformOptions options, ILoggerFactory loggers)
    {
        if (!file.EndsWith(".flv", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var stream = file[..^4];
        var vhost = context.Request.Query["vhost"].FirstOrDefault() ?? StreamKey.DefaultVhost;
        if (!StreamKey.IsValidName(app) || !StreamKey.IsValidName(stream) || !StreamKey.IsValidName(vhost))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("invalid stream name");
            return;
        }

        var session = new HttpFlvSession(context, new StreamKey(vhost, app, stream), control, loggers.CreateLogger<HttpFlvSession>());
        await session.RunAsync(options.Http.SendTimeout);
    }
}
