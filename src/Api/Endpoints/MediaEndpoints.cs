using Platform.Api.Hosting;
using Platform.Ingest.HttpFlv;
using Platform.Streams;
using Platform.Workers.Hls;

namespace Platform.Api.Endpoints;

/// <summary>The media port: HTTP-FLV live streams, HLS playlists and segments.</summary>
public static class MediaEndpoints
{
    public static void MapMediaEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/{app}/{**path}", ServeAsync);
        routes.MapMethods("/{app}/{**path}", ["OPTIONS"], (HttpContext context) =>
        {
            AllowCors(context.Response);
            context.Response.Headers.AccessControlAllowMethods = "GET, OPTIONS";
            return Results.NoContent();
        });
    }

    private static async Task ServeAsync(HttpContext context, string app, string? path, StreamControl control, PlatformOptions options, ILoggerFactory loggers)
    {
        path ??= string.Empty;
        if (path.EndsWith(".flv", StringComparison.OrdinalIgnoreCase) && !path.Contains('/', StringComparison.Ordinal))
        {
            await PlayFlvAsync(context, app, path[..^4], control, options, loggers);
        }
        else if (path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ts", StringComparison.OrdinalIgnoreCase))
        {
            await ServeHlsAsync(context, app, path, options);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private static async Task PlayFlvAsync(HttpContext context, string app, string stream, StreamControl control, PlatformOptions options, ILoggerFactory loggers)
    {
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

    /// <summary>Playlists and segments from the HLS folders of the rules; never a file outside them.</summary>
    private static async Task ServeHlsAsync(HttpContext context, string app, string path, PlatformOptions options)
    {
        var response = context.Response;
        if (!StreamKey.IsValidName(app) || !StreamKey.IsValidRelativePath(path))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var playlist = path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);
        foreach (var root in HlsRoots(options))
        {
            var file = HlsNames.Resolve(root, $"{app}/{path}");
            if (file is null || !File.Exists(file))
            {
                continue;
            }

            AllowCors(response);
            response.ContentType = playlist ? "application/vnd.apple.mpegurl" : "video/mp2t";
            response.Headers.CacheControl = playlist ? "no-cache, no-store" : "public, max-age=60";
            try
            {
                await response.SendFileAsync(file, context.RequestAborted);
            }
            catch (FileNotFoundException)
            {
                // Removed from the window between the check and the read.
                response.StatusCode = StatusCodes.Status404NotFound;
            }

            return;
        }

        response.StatusCode = StatusCodes.Status404NotFound;
    }

    private static IEnumerable<string> HlsRoots(PlatformOptions options) =>
        options.EffectiveApps.Select(r => Path.GetFullPath(r.Hls.Path, Path.GetFullPath(options.Storage.Root))).Distinct();

    private static void AllowCors(HttpResponse response) => response.Headers.AccessControlAllowOrigin = "*";
}
