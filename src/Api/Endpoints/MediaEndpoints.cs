using Platform.Api.Hosting;
using Platform.Ingest.Hls;
using Platform.Ingest.HttpFlv;
using Platform.Media.Hls;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Workers.Hls;
using Platform.Workers.Rules;

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

    private static async Task ServeAsync(HttpContext context, string app, string? path, StreamControl control, PlatformOptions options, ILoggerFactory loggers, HlsSessionRegistry sessions, AppRules rules, ReloadableOptions<HttpOptions> http, HlsRelay relay, SourceRules sources)
    {
        path ??= string.Empty;
        if (path.EndsWith(".flv", StringComparison.OrdinalIgnoreCase) && !path.Contains('/', StringComparison.Ordinal))
        {
            await PlayFlvAsync(context, app, path[..^4], control, options, loggers);
        }
        else if (path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ts", StringComparison.OrdinalIgnoreCase))
        {
            if (AbrPlaylist.IsAbr(path) && FindHlsFile(rules, $"{app}/{path}") is null && !relay.IsFromNode(context.Request))
            {
                await AbrPlaylist.ServeAsync(context, app, path, control, rules, relay);
                return;
            }

            await ServeHlsAsync(context, app, path, sessions, rules, http, relay, sources);
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
        using var telemetry = Streams.Telemetry.SessionTelemetry.BeginAccepted("flv", session, loggers.CreateLogger<HttpFlvSession>());
        await session.RunAsync(options.Http.SendTimeout, options.Http.FlvPlayWaitTimeout);
    }

    /// <summary>
    /// Playlists and segments from the HLS folders of the rules; never a file outside them. A stream's
    /// playlist requested without <c>hls_ctx</c> starts a viewer session (access checks run; a denial is
    /// 403) and is answered with a master playlist whose variant carries the session's context; the media
    /// playlist of a session lists its segments with the context, so every request of the viewer is
    /// counted. A kicked context is refused with 403.
    /// </summary>
    private static async Task ServeHlsAsync(HttpContext context, string app, string path, HlsSessionRegistry sessions, AppRules rules, ReloadableOptions<HttpOptions> http, HlsRelay relay, SourceRules sources)
    {
        var response = context.Response;
        if (!StreamKey.IsValidName(app) || !StreamKey.IsValidRelativePath(path))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var playlist = path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);
        var file = FindHlsFile(rules, $"{app}/{path}");
        if (relay.IsFromNode(context.Request))
        {
            // Another node relays this file to its own viewer: it is served as it is.
            await ServeFileAsync(context, file, playlist, null);
            return;
        }

        var contextId = context.Request.Query[HlsSessionPlaylist.ContextParameter].FirstOrDefault();
        HlsSession? session = null;
        if (!string.IsNullOrEmpty(contextId) && sessions.Find(contextId, out session) == HlsContextState.Refused)
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            await response.WriteAsync($"HLS session {contextId} was ended by the server", context.RequestAborted);
            return;
        }

        if (!playlist && session is null && http.Current.HlsRequireSession)
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            await response.WriteAsync("segments are served to viewer sessions only: open the stream's playlist first", context.RequestAborted);
            return;
        }

        // Packaged on another node (the one hosting the stream's entity): fetched from there.
        var remote = file is null ? await relay.FetchAsync(app, path, session?.Info.Stream, context.RequestAborted) : null;
        var ownPlaylist = playlist && !path.Contains('/', StringComparison.Ordinal);
        if (file is null && remote is null && ownPlaylist && session is null && PulledStream(context, app, path[..^5], sources) is { } pulled)
        {
            // A pulled stream's first viewer is its reader: the session starts the source, and the playlist is
            // awaited while the source connects and the packager cuts the first segments.
            if (!string.IsNullOrEmpty(contextId) && !ClientIds.IsWellFormed(contextId))
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            session = await StartHlsSessionAsync(context, app, path[..^5], contextId, sessions, rules.Planner);
            if (session is null)
            {
                return;
            }

            var fragment = rules.Planner.Plan(pulled.Stream).Hls?.Fragment ?? TimeSpan.FromSeconds(4);
            var deadline = DateTime.UtcNow + pulled.Rule.StartTimeout + (fragment * 3);
            while (file is null && remote is null && DateTime.UtcNow < deadline && !context.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(250, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                file = FindHlsFile(rules, $"{app}/{path}");
                remote = file is null ? await relay.FetchAsync(app, path, pulled.Stream, context.RequestAborted) : null;
            }

            if ((file is not null || remote is not null) && string.IsNullOrEmpty(contextId))
            {
                await WriteTextAsync(context, HlsSessionPlaylist.Master(path, session.Info.Id, session.Info.Param), PlaylistType, session);
                return;
            }
        }

        if (file is null && remote is null)
        {
            // A viewer that keeps asking is still watching (the stream's packager may be moving to another
            // node): its session stays alive through the 404s.
            session?.Served(0);
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // A stream's own playlist (app/stream.m3u8) starts a session, or restarts one that timed out.
        if (playlist && session is null && !path.Contains('/', StringComparison.Ordinal))
        {
            if (!string.IsNullOrEmpty(contextId) && !ClientIds.IsWellFormed(contextId))
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                await response.WriteAsync("malformed hls_ctx", context.RequestAborted);
                return;
            }

            session = await StartHlsSessionAsync(context, app, path[..^5], contextId, sessions, rules.Planner);
            if (session is null)
            {
                return;
            }

            if (string.IsNullOrEmpty(contextId))
            {
                var master = HlsSessionPlaylist.Master(path, session.Info.Id, session.Info.Param);
                await WriteTextAsync(context, master, PlaylistType, session);
                return;
            }
        }

        if (remote is not null)
        {
            await ServeBytesAsync(context, remote, playlist, session);
            return;
        }

        await ServeFileAsync(context, file, playlist, session);
    }

    /// <summary>The source of the stream a playlist request names, when the stream is pulled.</summary>
    private static Platform.Sources.Config.SourceSpec? PulledStream(HttpContext context, string app, string stream, SourceRules sources)
    {
        var vhost = context.Request.Query["vhost"].FirstOrDefault() ?? StreamKey.DefaultVhost;
        return StreamKey.IsValidName(stream) && StreamKey.IsValidName(vhost) ? sources.Catalog.Resolve(new StreamKey(vhost, app, stream)) : null;
    }

    private static async Task ServeFileAsync(HttpContext context, string? file, bool playlist, HlsSession? session)
    {
        var response = context.Response;
        if (file is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            if (playlist && session is not null)
            {
                var text = await File.ReadAllTextAsync(file, context.RequestAborted);
                await WriteTextAsync(context, HlsSessionPlaylist.WithContext(text, session.Info.Id), PlaylistType, session);
                return;
            }

            HlsFileHeaders(response, playlist);
            var length = new FileInfo(file).Length;
            response.ContentLength = length; // segments are complete files (renamed into place): a player sees their size
            await response.SendFileAsync(file, context.RequestAborted);
            session?.Served(length);
        }
        catch (FileNotFoundException)
        {
            // Removed from the window between the check and the read.
            response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private static async Task ServeBytesAsync(HttpContext context, byte[] bytes, bool playlist, HlsSession? session)
    {
        if (playlist && session is not null)
        {
            await WriteTextAsync(context, HlsSessionPlaylist.WithContext(System.Text.Encoding.UTF8.GetString(bytes), session.Info.Id), PlaylistType, session);
            return;
        }

        var response = context.Response;
        HlsFileHeaders(response, playlist);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
        session?.Served(bytes.Length);
    }

    /// <summary>A playlist or segment served as it is: CORS, caching (playlists change, segments do not) and type.</summary>
    internal static void HlsFileHeaders(HttpResponse response, bool playlist)
    {
        AllowCors(response);
        response.Headers.CacheControl = playlist ? "no-cache, no-store" : "public, max-age=60";
        response.ContentType = playlist ? PlaylistType : "video/mp2t";
    }

    private const string PlaylistType = "application/vnd.apple.mpegurl";

    private static async Task<HlsSession?> StartHlsSessionAsync(HttpContext context, string app, string stream, string? contextId, HlsSessionRegistry sessions, WorkerPlanner planner)
    {
        var request = context.Request;
        var response = context.Response;
        var vhost = request.Query["vhost"].FirstOrDefault() ?? StreamKey.DefaultVhost;
        if (!StreamKey.IsValidName(stream) || !StreamKey.IsValidName(vhost))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync("invalid stream name", context.RequestAborted);
            return null;
        }

        var key = new StreamKey(vhost, app, stream);
        var param = HlsSessionPlaylist.WithoutContext(request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty);
        var info = new ClientInfo(string.IsNullOrEmpty(contextId) ? ClientIds.Next() : contextId, ClientKind.HlsPlayer,
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown", key, $"http://{request.Host}/{app}",
            request.Headers.Referer.ToString(), string.Empty, param, DateTimeOffset.UtcNow);
        var fragment = planner.Plan(key).Hls?.Fragment ?? TimeSpan.FromSeconds(4);
        HlsStart start;
        try
        {
            start = await sessions.StartAsync(info, fragment * 4, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        if (start.Session is not null)
        {
            return start.Session;
        }

        response.StatusCode = start.Result switch
        {
            HlsStartResult.Denied => StatusCodes.Status403Forbidden,
            HlsStartResult.Rejected => StatusCodes.Status404NotFound,
            HlsStartResult.Full => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status409Conflict,
        };
        await response.WriteAsync(start.Reason, context.RequestAborted);
        return null;
    }

    private static async Task WriteTextAsync(HttpContext context, string text, string contentType, HlsSession session)
    {
        var response = context.Response;
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        AllowCors(response);
        response.Headers.CacheControl = "no-cache, no-store";
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
        session.Served(bytes.Length);
    }

    /// <summary>The file of an HLS path (<c>app/...</c>) in the first HLS root that has it, or null.</summary>
    internal static string? FindHlsFile(AppRules rules, string relative)
    {
        foreach (var root in rules.HlsRoots)
        {
            var file = HlsNames.Resolve(root, relative);
            if (file is not null && File.Exists(file))
            {
                return file;
            }
        }

        return null;
    }


    private static void AllowCors(HttpResponse response) => response.Headers.AccessControlAllowOrigin = "*";
}
