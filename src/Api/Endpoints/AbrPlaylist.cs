using Akka.Actor;
using Platform.Api.Hosting;
using Platform.Media.Hls;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Workers.Rules;

namespace Platform.Api.Endpoints;

/// <summary>
/// The adaptive master playlist of a stream, <c>/{app}/{stream}_abr.m3u8</c>: the stream itself and each
/// rendition its engines publish, where that rendition has HLS, with its bit rate, size and codecs as the
/// node sees them. Each variant URI carries a fresh viewer context, so the viewer's session on a rendition
/// starts (with its play checks) when the player first asks for it.
/// </summary>
public static class AbrPlaylist
{
    public const string Suffix = "_abr.m3u8";

    public static bool IsAbr(string path) =>
        path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && path.Length > Suffix.Length && !path.Contains('/', StringComparison.Ordinal);

    public static async Task ServeAsync(HttpContext context, string app, string path, StreamControl control, AppRules rules, HlsRelay relay)
    {
        var response = context.Response;
        var name = path[..^Suffix.Length];
        var vhost = context.Request.Query["vhost"].FirstOrDefault() ?? StreamKey.DefaultVhost;
        if (!StreamKey.IsValidName(name) || !StreamKey.IsValidName(vhost))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var source = new StreamKey(vhost, app, name);
        var cancel = context.RequestAborted;
        var snapshot = await SnapshotAsync(control, source, cancel);
        if (snapshot?.Publisher is null)
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, $"{app}/{name} is not being published");
            return;
        }

        // The stream itself, then its engines' renditions (their rule gives the configured bit rates).
        var engines = rules.Planner.Plan(source).Engines.Where(e => e.Settings is not null).ToDictionary(e => e.Settings!.Output, e => e.Settings!.Rule);
        var outputs = snapshot.Workers
            .Where(w => w.Running && w.Output is not null && w.Name.StartsWith(WorkerPlanner.EngineWorkerPrefix, StringComparison.Ordinal))
            .Select(w => StreamKey.TryParse(w.Output!, out var key) ? key : (StreamKey?)null)
            .OfType<StreamKey>()
            .ToList();
        var snapshots = await Task.WhenAll(outputs.Select(o => SnapshotAsync(control, o, cancel)));
        var query = HlsSessionPlaylist.WithoutContext(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty);
        var variants = new List<HlsVariant>();
        foreach (var stream in snapshots.Prepend(snapshot).OfType<StreamSnapshot>())
        {
            if (stream.Publisher is null || !stream.Workers.Any(w => w.Name == "hls" && w.Running))
            {
                continue;
            }

            var playlist = $"{stream.Stream.Stream}.m3u8";
            if (!await HasPlaylistAsync(rules, relay, stream.Stream, playlist, cancel))
            {
                continue; // its first segment is not out yet: a player would get a 404
            }

            engines.TryGetValue(stream.Stream, out var engine);
            variants.Add(Variant(stream, engine, app, playlist, query));
        }

        if (variants.Count == 0)
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, $"no rendition of {app}/{name} has HLS yet");
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(HlsMasterPlaylist.Build(variants));
        MediaEndpoints.HlsFileHeaders(response, playlist: true);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancel);
    }

    private static HlsVariant Variant(StreamSnapshot stream, EngineRule? engine, string app, string playlist, string query)
    {
        var video = stream.Counters.Video;
        var audio = stream.Counters.Audio;
        var codecs = new List<string>();
        if (video?.Rfc6381 is { } videoCodec)
        {
            codecs.Add(videoCodec);
        }

        if (audio is not null && HlsMasterPlaylist.AudioCodec(audio.Codec, audio.Profile) is { } audioCodec)
        {
            codecs.Add(audioCodec);
        }

        // Peak: what the rule asks of the encoder (with room for the container); measured when the rule does not say.
        var measured = stream.Counters.KbpsIn * 1000L;
        var configured = engine is null ? 0 : (engine.Video.Bitrate + engine.Audio.Bitrate) * 1000L * 11 / 10;
        var uri = stream.Stream.App == app
            ? Uri.EscapeDataString(playlist)
            : "../" + string.Join('/', stream.Stream.App.Split('/').Select(Uri.EscapeDataString)) + "/" + Uri.EscapeDataString(playlist);
        uri += $"?{HlsSessionPlaylist.ContextParameter}={ClientIds.Next()}" + (query.Length > 0 ? "&" + query : string.Empty);
        return new HlsVariant(uri, configured > 0 ? configured : measured * 12 / 10, measured, video?.Width ?? 0, video?.Height ?? 0, engine?.Video.Fps ?? 0, codecs);
    }

    private static async Task<bool> HasPlaylistAsync(AppRules rules, HlsRelay relay, StreamKey stream, string playlist, CancellationToken cancel)
    {
        return MediaEndpoints.FindHlsFile(rules, $"{stream.App}/{playlist}") is not null
            || stream.App.Contains('/', StringComparison.Ordinal) || await relay.FetchAsync(stream.App, playlist, stream, cancel) is not null;
    }

    private static async Task<StreamSnapshot?> SnapshotAsync(StreamControl control, StreamKey stream, CancellationToken cancel)
    {
        try
        {
            return await control.SnapshotAsync(stream, cancel);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task AnswerAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
