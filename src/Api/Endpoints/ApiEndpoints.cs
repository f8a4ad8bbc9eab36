using Akka.Actor;
using Platform.Api.Hosting;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;

namespace Platform.Api.Endpoints;

/// <summary>The first slice of SRS's HTTP API: versions, streams and clients, with SRS's field names.</summary>
public static class ApiEndpoints
{
    public const int ErrorStreamNotFound = 2048;
    public const int ErrorClientNotFound = 2049;

    /// <summary>A worker could not be started or stopped (reason in the body).</summary>
    public const int ErrorWorkerRefused = 5001;

    public static void MapApiEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/versions", (NodeIdentity node) => Envelope(node, new Dictionary<string, object?>
        {
            ["data"] = new { major = 0, minor = 1, revision = 0, version = "0.1.0" },
        }));

        routes.MapGet("/api/v1/streams", async (HttpContext http, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            var (start, count) = Paging(http);
            var all = await new StreamDirectory(control).ListAsync(ct);
            var page = all.Skip(start).Take(count).Select(s => StreamJson(s, control)).ToList();
            return Envelope(node, new Dictionary<string, object?> { ["streams"] = page });
        });

        routes.MapGet("/api/v1/streams/{id}", async (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            var all = await new StreamDirectory(control).ListAsync(ct);
            var found = all.FirstOrDefault(s => StreamDirectory.IdOf(s.Stream) == id);
            return found is null
                ? Error(node, ErrorStreamNotFound, StatusCodes.Status404NotFound)
                : Envelope(node, new Dictionary<string, object?> { ["stream"] = StreamJson(found, control) });
        });

        // Recording on demand, like nginx-rtmp's control module: POST starts, DELETE stops (and finalizes).
        routes.MapPost("/api/v1/streams/{id}/dvr", (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: true, ct));
        routes.MapDelete("/api/v1/streams/{id}/dvr", (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: false, ct));

        routes.MapGet("/api/v1/dvrs", async (HttpContext http, NodeIdentity node, Akka.Hosting.IRequiredActor<DvrCatalog> catalog, CancellationToken ct) =>
        {
            var (start, count) = Paging(http);
            var query = http.Request.Query;
            var actor = await catalog.GetAsync(ct);
            var list = await actor.Ask<Platform.Workers.Dvr.Catalog.DvrList>(
                new Platform.Workers.Dvr.Catalog.ListDvrs(query["vhost"].FirstOrDefault(), query["app"].FirstOrDefault(), query["stream"].FirstOrDefault()),
                TimeSpan.FromSeconds(10), ct);
            var page = list.Entries.Skip(start).Take(count).Select(e => new
            {
                vhost = e.Vhost,
                app = e.App,
                stream = e.Stream,
                file = e.File,
                start = e.Start.ToUnixTimeMilliseconds(),
                duration = e.DurationSeconds,
                size = e.Size,
            }).ToList();
            return Envelope(node, new Dictionary<string, object?> { ["total"] = list.Entries.Count, ["dvrs"] = page });
        });

        routes.MapGet("/api/v1/clients", (HttpContext http, NodeIdentity node, ClientRegistry clients) =>
        {
            var (start, count) = Paging(http);
            var page = clients.Snapshot().Skip(start).Take(count).Select(ClientJson).ToList();
            return Envelope(node, new Dictionary<string, object?> { ["clients"] = page });
        });

        routes.MapGet("/api/v1/clients/{id}", (string id, NodeIdentity node, ClientRegistry clients) =>
            clients.Find(id) is { } client
                ? Envelope(node, new Dictionary<string, object?> { ["client"] = ClientJson(client) })
                : Error(node, ErrorClientNotFound, StatusCodes.Status404NotFound));
    }

    private static async Task<IResult> ControlWorkerAsync(string id, NodeIdentity node, StreamControl control, bool start, CancellationToken ct)
    {
        var all = await new StreamDirectory(control).ListAsync(ct);
        var found = all.FirstOrDefault(s => StreamDirectory.IdOf(s.Stream) == id);
        if (found is null)
        {
            return Error(node, ErrorStreamNotFound, StatusCodes.Status404NotFound);
        }

        object command = start ? new Platform.Streams.Workers.StartWorker(found.Stream, "dvr") : new Platform.Streams.Workers.StopWorker(found.Stream, "dvr");
        var reply = await control.Region.Ask<Platform.Streams.Workers.WorkerControlled>(command, control.Options.AskTimeout, ct);
        return reply.Done
            ? Envelope(node, new Dictionary<string, object?> { ["dvr"] = new { running = start, reason = reply.Reason } })
            : Results.Json(new Dictionary<string, object?>
            {
                ["code"] = ErrorWorkerRefused,
                ["server"] = node.ServerId,
                ["service"] = node.ServiceId,
                ["pid"] = node.Pid,
                ["reason"] = reply.Reason,
            }, statusCode: StatusCodes.Status409Conflict);
    }

    private static (int Start, int Count) Paging(HttpContext http)
    {
        var start = int.TryParse(http.Request.Query["start"], out var s) && s >= 0 ? s : 0;
        var count = int.TryParse(http.Request.Query["count"], out var c) && c > 0 ? Math.Min(c, 10000) : 10;
        return (start, count);
    }

    private static IResult Envelope(NodeIdentity node, Dictionary<string, object?> body)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["code"] = 0,
            ["server"] = node.ServerId,
            ["service"] = node.ServiceId,
            ["pid"] = node.Pid,
        };
        foreach (var (key, value) in body)
        {
            envelope[key] = value;
        }

        return Results.Json(envelope);
    }

    private static IResult Error(NodeIdentity node, int code, int status) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["code"] = code,
            ["server"] = node.ServerId,
            ["service"] = node.ServiceId,
            ["pid"] = node.Pid,
        }, statusCode: status);

    private static object StreamJson(StreamSnapshot s, StreamControl control)
    {
        var counters = s.Counters;
        var hub = control.Hubs.Find(s.Stream);
        var stats = hub?.Stats;
        var video = stats?.Video ?? counters.Video;
        var audio = stats?.Audio ?? counters.Audio;
        var publisher = s.Publisher;
        return new
        {
            id = StreamDirectory.IdOf(s.Stream),
            name = s.Stream.Stream,
            vhost = s.Stream.Vhost,
            app = s.Stream.App,
            tcUrl = publisher?.TcUrl ?? string.Empty,
            url = s.Stream.Url,
            live_ms = publisher is null ? 0 : (long)(DateTimeOffset.UtcNow - publisher.ConnectedAt).TotalMilliseconds,
            clients = s.Readers.Count + (publisher is null ? 0 : 1),
            frames = stats?.FramesIn ?? counters.Frames,
            send_bytes = stats?.BytesOut ?? counters.BytesOut,
            recv_bytes = stats?.BytesIn ?? counters.BytesIn,
            kbps = new { recv_30s = counters.KbpsIn, send_30s = counters.KbpsOut },
            publish = new { active = publisher is not null, cid = publisher?.Id },
            video = video is null ? null : new { codec = video.Codec, profile = video.Profile, level = video.Level, width = video.Width, height = video.Height },
            audio = audio is null ? null : new { codec = audio.Codec, sample_rate = audio.SampleRate, channel = audio.Channels, profile = audio.Profile },
            workers = s.Workers.Select(w => new { name = w.Name, running = w.Running, reason = w.Reason }),
        };
    }

    private static object ClientJson(IClientSession client)
    {
        var info = client.Info;
        var alive = (DateTimeOffset.UtcNow - info.ConnectedAt).TotalSeconds;
        return new
        {
            id = info.Id,
            vhost = info.Stream.Vhost ?? string.Empty,
            stream = info.Stream.Vhost is null ? string.Empty : StreamDirectory.IdOf(info.Stream),
            ip = info.Ip,
            pageUrl = info.PageUrl,
            swfUrl = info.SwfUrl,
            tcUrl = info.TcUrl,
            url = info.Stream.Vhost is null ? string.Empty : info.Stream.Url,
            name = info.Stream.Stream ?? string.Empty,
            type = info.SrsType,
            publish = info.IsPublisher,
            alive,
            send_bytes = client.BytesSent,
            recv_bytes = client.BytesReceived,
            kbps = new
            {
                recv_30s = alive > 0 ? (int)(client.BytesReceived * 8 / 1000 / alive) : 0,
                send_30s = alive > 0 ? (int)(client.BytesSent * 8 / 1000 / alive) : 0,
            },
        };
    }
}
