using System.Globalization;
using Akka.Actor;
using Platform.Api.Hosting;
using Platform.Api.Nodes;
using Platform.Streams;
using Platform.Streams.Clients;
using Platform.Streams.Entity;
using Platform.Workers.Rules;

namespace Platform.Api.Endpoints;

/// <summary>
/// SRS's HTTP API on the API port: versions, summaries, vhosts, streams and clients with SRS's field
/// names and <c>start</c>/<c>count</c> paging, kicking clients, and recordings. Every answer carries SRS's
/// envelope (<c>code</c>, <c>server</c>, <c>service</c>, <c>pid</c>); an error has SRS's code and a fitting
/// HTTP status.
/// </summary>
public static class ApiEndpoints
{
    public const string ProductVersion = "0.1.0";

    /// <summary>SRS's ERROR_RTMP_VHOST_NOT_FOUND.</summary>
    public const int ErrorVhostNotFound = 2014;

    /// <summary>SRS's ERROR_RTMP_STREAM_NOT_FOUND.</summary>
    public const int ErrorStreamNotFound = 2048;

    /// <summary>SRS's ERROR_RTMP_CLIENT_NOT_FOUND.</summary>
    public const int ErrorClientNotFound = 2049;

    /// <summary>SRS's ERROR_HTTP_PARSE_URI: a malformed query parameter.</summary>
    public const int ErrorBadRequest = 3007;

    /// <summary>SRS's ERROR_HTTP_HANDLER_MATCH_URL: no API at that path.</summary>
    public const int ErrorNoSuchApi = 3010;

    /// <summary>SRS's ERROR_HTTP_HANDLER_INVALID: the path exists, not for that method.</summary>
    public const int ErrorMethodNotAllowed = 3011;

    /// <summary>SRS answers a failed authentication with the HTTP status as its code.</summary>
    public const int ErrorUnauthorized = 401;

    /// <summary>SRS's ERROR_SOCKET_TIMEOUT: the cluster did not answer in time.</summary>
    public const int ErrorTimeout = 1011;

    /// <summary>A worker could not be started or stopped (reason in the body).</summary>
    public const int ErrorWorkerRefused = 5001;

    /// <summary>How long a kick waits for the client's session to let go of its stream.</summary>
    public static readonly TimeSpan KickTimeout = TimeSpan.FromSeconds(5);

    public static void MapApiEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/versions", (NodeIdentity node) => Envelope(node, new()
        {
            ["data"] = new { major = 0, minor = 1, revision = 0, version = ProductVersion },
        }));

        routes.MapGet("/api/v1/summaries", async (NodeIdentity node, SystemStats stats, ClientRegistry clients, StreamControl control, CancellationToken ct) =>
        {
            // This node's figures in SRS's shape, and every member's beside them.
            var nodes = await new ClusterApi(control).AskAllAsync<NodeSummary>(GetNodeSummary.Instance, ct);
            return Envelope(node, new()
            {
                ["data"] = SummaryJson(stats.Sample(), node, clients.Count),
                ["cluster"] = new
                {
                    connections = nodes.Answers.Sum(n => n.Connections),
                    nodes = nodes.Answers.OrderBy(n => n.Node, StringComparer.Ordinal)
                        .Select(n => new { node = n.Node, hubs = n.Hubs, links = n.Links, entities = n.Entities, data = System.Text.Json.JsonDocument.Parse(n.Json).RootElement }),
                    partial = nodes.Partial,
                    missing = nodes.Missing,
                },
            });
        });

        routes.MapGet("/api/v1/vhosts", async (NodeIdentity node, StreamControl control, AppRules rules, CancellationToken ct) =>
        {
            var vhosts = await VhostsAsync(control, rules.Planner, ct);
            return Envelope(node, new() { ["vhosts"] = vhosts.Select(v => v.Json).ToList() });
        });

        routes.MapGet("/api/v1/vhosts/{id}", async (string id, NodeIdentity node, StreamControl control, AppRules rules, CancellationToken ct) =>
        {
            var vhosts = await VhostsAsync(control, rules.Planner, ct);
            var found = vhosts.FirstOrDefault(v => v.Id == id || v.Name == id);
            return found.Json is null
                ? Error(node, ErrorVhostNotFound, StatusCodes.Status404NotFound, $"no vhost {id}")
                : Envelope(node, new() { ["vhost"] = found.Json });
        });

        routes.MapGet("/api/v1/streams", async (HttpContext http, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            if (Paging(http, node, out var start, out var count) is { } bad)
            {
                return bad;
            }

            var (all, missing) = await new StreamDirectory(control).ListClusterAsync(ct);
            var page = all.Skip(start).Take(count).Select(s => StreamJson(s, control)).ToList();
            return Envelope(node, new() { ["total"] = all.Count, ["streams"] = page, ["partial"] = missing.Count > 0, ["missing"] = missing });
        });

        routes.MapGet("/api/v1/streams/{id}", async (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            var all = await new StreamDirectory(control).ListAsync(ct);
            var found = all.FirstOrDefault(s => StreamDirectory.IdOf(s.Stream) == id);
            return found is null
                ? Error(node, ErrorStreamNotFound, StatusCodes.Status404NotFound, $"no stream {id}")
                : Envelope(node, new() { ["stream"] = StreamJson(found, control) });
        });

        // Recording on demand, like nginx-rtmp's control module: POST starts, DELETE stops (and finalizes).
        routes.MapPost("/api/v1/streams/{id}/dvr", (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: true, ct));
        routes.MapDelete("/api/v1/streams/{id}/dvr", (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: false, ct));

        // Transcode engines of a live stream: listed among its workers; POST starts one (or starts a failed
        // one over), DELETE stops it until the next publish.
        routes.MapGet("/api/v1/streams/{id}/engines", async (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            var found = (await new StreamDirectory(control).ListAsync(ct)).FirstOrDefault(s => StreamDirectory.IdOf(s.Stream) == id);
            return found is null
                ? Error(node, ErrorStreamNotFound, StatusCodes.Status404NotFound, $"no stream {id}")
                : Envelope(node, new()
                {
                    ["engines"] = found.Workers.Where(w => w.Name.StartsWith(Platform.Workers.Rules.WorkerPlanner.EngineWorkerPrefix, StringComparison.Ordinal))
                        .Select(w => new { name = w.Name[Platform.Workers.Rules.WorkerPlanner.EngineWorkerPrefix.Length..], running = w.Running, state = w.State, reason = w.Reason, output = w.Output, restarts = w.Restarts, log = w.Log }),
                });
        });
        routes.MapPost("/api/v1/streams/{id}/engines/{name}", (string id, string name, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: true, ct, Platform.Workers.Rules.WorkerPlanner.EngineWorkerPrefix + name));
        routes.MapDelete("/api/v1/streams/{id}/engines/{name}", (string id, string name, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: false, ct, Platform.Workers.Rules.WorkerPlanner.EngineWorkerPrefix + name));

        // Forwards of a live stream (forward-0, ..., forward-backend): POST starts one (or asks a failed backend
        // again), DELETE stops it until the next publish.
        routes.MapPost("/api/v1/streams/{id}/forwards/{name}", (string id, string name, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: true, ct, Platform.Workers.Rules.WorkerPlanner.ForwardWorkerPrefix + name));
        routes.MapDelete("/api/v1/streams/{id}/forwards/{name}", (string id, string name, NodeIdentity node, StreamControl control, CancellationToken ct) =>
            ControlWorkerAsync(id, node, control, start: false, ct, Platform.Workers.Rules.WorkerPlanner.ForwardWorkerPrefix + name));

        routes.MapGet("/api/v1/dvrs", async (HttpContext http, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            if (Paging(http, node, out var start, out var count) is { } bad)
            {
                return bad;
            }

            // Each node catalogs what it recorded: the list is every node's, each entry with its node.
            var query = http.Request.Query;
            var nodes = await new ClusterApi(control).AskAllAsync<NodeDvrs>(
                new ListNodeDvrs(query["vhost"].FirstOrDefault(), query["app"].FirstOrDefault(), query["stream"].FirstOrDefault()), ct);
            var all = nodes.Answers.SelectMany(n => n.Entries.Select(e => (Entry: e, n.Node))).OrderBy(e => e.Entry.Start).ToList();
            var page = all.Skip(start).Take(count).Select(e => new
            {
                vhost = e.Entry.Vhost,
                app = e.Entry.App,
                stream = e.Entry.Stream,
                file = e.Entry.File,
                start = e.Entry.Start.ToUnixTimeMilliseconds(),
                duration = e.Entry.DurationSeconds,
                size = e.Entry.Size,
                node = e.Node,
            }).ToList();
            return Envelope(node, new() { ["total"] = all.Count, ["dvrs"] = page, ["partial"] = nodes.Partial, ["missing"] = nodes.Missing });
        });

        routes.MapGet("/api/v1/clients", async (HttpContext http, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            if (Paging(http, node, out var start, out var count) is { } bad)
            {
                return bad;
            }

            var (all, missing) = await ClusterClientsAsync(control, ct);
            var page = all.Skip(start).Take(count).Select(c => ClientJson(c.View, c.Node)).ToList();
            return Envelope(node, new() { ["total"] = all.Count, ["clients"] = page, ["partial"] = missing.Count > 0, ["missing"] = missing });
        });

        routes.MapGet("/api/v1/clients/{id}", async (string id, NodeIdentity node, StreamControl control, CancellationToken ct) =>
        {
            var (all, _) = await ClusterClientsAsync(control, ct);
            var found = all.FirstOrDefault(c => c.View.Info.Id == id);
            return found.View is not null
                ? Envelope(node, new() { ["client"] = ClientJson(found.View, found.Node) })
                : Error(node, ErrorClientNotFound, StatusCodes.Status404NotFound, $"no client {id}");
        });

        routes.MapDelete("/api/v1/clients/{id}", (string id, NodeIdentity node, StreamControl control, ILoggerFactory loggers, CancellationToken ct) =>
            KickAsync(id, node, control, loggers.CreateLogger("Platform.Api"), ct));
    }

    /// <summary>
    /// Kicks a client whatever its kind, and answers once its session has let go of its stream (bounded by
    /// <see cref="KickTimeout"/>): for a publisher, once the stream's entity no longer has it as publisher.
    /// </summary>
    private static async Task<IResult> KickAsync(string id, NodeIdentity node, StreamControl control, ILogger log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + KickTimeout;
        ClientInfo? info = null;
        var closed = false;
        var where = control.SelfAddress.ToString();
        if (control.Clients.Find(id) is { } client)
        {
            info = client.Info;
            log.LogInformation("client {ClientId} ({Type}, {Stream}): kicked by operator", info.Id, info.SrsType, info.Stream);
            closed = await KickAndWaitAsync(client, "kicked by operator");
        }
        else
        {
            // Another node's client: every member is asked, the one that has it kicks it (and may wait KickTimeout).
            var results = await new ClusterApi(control).AskAllAsync<NodeKickResult>(new KickNodeClient(id, "kicked by operator"), ct, KickTimeout + ClusterApi.Timeout);
            if (results.Answers.FirstOrDefault(r => r.Client is not null) is { } kicked)
            {
                (info, closed, where) = (kicked.Client, kicked.Closed, kicked.Node);
                log.LogInformation("client {ClientId} ({Type}, {Stream}) on {Node}: kicked by operator", info!.Id, info.SrsType, info.Stream, where);
            }
        }

        if (info is null)
        {
            return Error(node, ErrorClientNotFound, StatusCodes.Status404NotFound, $"no client {id}");
        }

        // Only a publisher unpublishes: for a player the answer says false, it describes what was kicked.
        var unpublished = info.IsPublisher && await PublisherGoneAsync(control, info, deadline, ct);
        return Envelope(node, new()
        {
            ["kicked"] = new
            {
                id = info.Id,
                type = info.SrsType,
                publish = info.IsPublisher,
                vhost = info.Stream.Vhost is null ? string.Empty : VhostId(info.Stream.Vhost),
                stream = info.Stream.Vhost is null ? string.Empty : StreamDirectory.IdOf(info.Stream),
                url = info.Stream.Vhost is null ? string.Empty : info.Stream.Url,
                node = where,
                closed,
                unpublished,
            },
        });
    }

    /// <summary>Kicks a client of this node; true once its session has let go of its stream, false after <see cref="KickTimeout"/>.</summary>
    internal static async Task<bool> KickAndWaitAsync(IClientSession client, string reason)
    {
        client.Kick(reason);
        return await Task.WhenAny(client.Completion, Task.Delay(KickTimeout)) == client.Completion;
    }

    /// <summary>Every client of the cluster with the node it is on, oldest first, and the members that did not answer.</summary>
    private static async Task<(IReadOnlyList<(ClientView View, string Node)> Clients, IReadOnlyList<string> Missing)> ClusterClientsAsync(StreamControl control, CancellationToken ct)
    {
        var nodes = await new ClusterApi(control).AskAllAsync<NodeClients>(ListNodeClients.Instance, ct);
        var all = ClientViews.OnePerClient(nodes.Answers.SelectMany(n => n.Clients.Select(c => (View: c, n.Node))))
            .OrderBy(c => c.View.Info.ConnectedAt).ToList();
        return (all, nodes.Missing);
    }

    /// <summary>Asks the stream's entity until it has another publisher than the kicked one, or time is up.</summary>
    private static async Task<bool> PublisherGoneAsync(StreamControl control, ClientInfo info, DateTime deadline, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var snapshot = await control.SnapshotAsync(info.Stream, ct);
                if (snapshot.Publisher?.Id != info.Id)
                {
                    return true;
                }
            }
            catch (AskTimeoutException)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20, ct);
        }
    }

    private static async Task<IResult> ControlWorkerAsync(string id, NodeIdentity node, StreamControl control, bool start, CancellationToken ct, string worker = "dvr")
    {
        var all = await new StreamDirectory(control).ListAsync(ct);
        var found = all.FirstOrDefault(s => StreamDirectory.IdOf(s.Stream) == id);
        if (found is null)
        {
            return Error(node, ErrorStreamNotFound, StatusCodes.Status404NotFound, $"no stream {id}");
        }

        object command = start ? new Platform.Streams.Workers.StartWorker(found.Stream, worker) : new Platform.Streams.Workers.StopWorker(found.Stream, worker);
        var reply = await control.Region.Ask<Platform.Streams.Workers.WorkerControlled>(command, control.Options.AskTimeout, ct);
        return reply.Done
            ? Envelope(node, new() { [worker.StartsWith("forward-", StringComparison.Ordinal) ? "forward" : worker == "dvr" ? "dvr" : "engine"] = new { running = start, reason = reply.Reason } })
            : Error(node, ErrorWorkerRefused, StatusCodes.Status409Conflict, reply.Reason);
    }

    /// <summary>
    /// <c>start</c> (from 0) and <c>count</c> (1 to 10000, 10 by default) as SRS reads them; a value that is
    /// not such a number is answered with 400.
    /// </summary>
    private static IResult? Paging(HttpContext http, NodeIdentity node, out int start, out int count)
    {
        start = 0;
        count = 10;
        var query = http.Request.Query;
        if (query.TryGetValue("start", out var s) && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 0))
        {
            return Error(node, ErrorBadRequest, StatusCodes.Status400BadRequest, $"start = {s}: not a whole number from 0");
        }

        if (query.TryGetValue("count", out var c) && (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
        {
            return Error(node, ErrorBadRequest, StatusCodes.Status400BadRequest, $"count = {c}: not a whole number from 1");
        }

        count = Math.Min(count, 10000);
        return null;
    }

    public static IResult Envelope(NodeIdentity node, Dictionary<string, object?> body)
    {
        var envelope = Head(node, 0);
        foreach (var (key, value) in body)
        {
            envelope[key] = value;
        }

        return Results.Json(envelope);
    }

    /// <summary>An error in SRS's envelope; <paramref name="reason"/> says what was wrong.</summary>
    public static IResult Error(NodeIdentity node, int code, int status, string reason)
    {
        var body = Head(node, code);
        body["reason"] = reason;
        return Results.Json(body, statusCode: status);
    }

    private static Dictionary<string, object?> Head(NodeIdentity node, int code) => new()
    {
        ["code"] = code,
        ["server"] = node.ServerId,
        ["service"] = node.ServiceId,
        ["pid"] = node.Pid,
    };

    /// <summary>SRS-style stable id of a vhost (<c>vid-</c> and 7 hex digits of its name's hash).</summary>
    public static string VhostId(string vhost) => StreamDirectory.HashId("vhost:" + vhost);

    private static async Task<IReadOnlyList<(string Id, string Name, object Json)>> VhostsAsync(StreamControl control, WorkerPlanner planner, CancellationToken ct)
    {
        var streams = await new StreamDirectory(control).ListAsync(ct);
        var names = new List<string> { StreamKey.DefaultVhost };
        names.AddRange(streams.Select(s => s.Stream.Vhost).Where(v => v != StreamKey.DefaultVhost).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var list = new List<(string, string, object)>(names.Count);
        foreach (var name in names)
        {
            var own = streams.Where(s => s.Stream.Vhost == name).ToList();
            var (hlsEnabled, fragment) = planner.HlsOfVhost(name);
            var id = VhostId(name);
            list.Add((id, name, new
            {
                id,
                name,
                enabled = true,
                clients = own.Sum(s => s.Readers.Count(r => r.Internal is null) + (s.Publisher is null ? 0 : 1)),
                streams = own.Count(s => s.Publisher is not null),
                send_bytes = own.Sum(s => control.Hubs.Find(s.Stream)?.Stats.BytesOut ?? s.Counters.BytesOut),
                recv_bytes = own.Sum(s => control.Hubs.Find(s.Stream)?.Stats.BytesIn ?? s.Counters.BytesIn),
                kbps = new { recv_30s = own.Sum(s => s.Counters.KbpsIn), send_30s = own.Sum(s => s.Counters.KbpsOut) },
                hls = hlsEnabled ? (object)new { enabled = true, fragment = fragment.TotalSeconds } : new { enabled = false },
            }));
        }

        return list;
    }

    internal static object SummaryJson(SystemSummary s, NodeIdentity node, int connections) => new
    {
        ok = s.Ok,
        now_ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        self = new
        {
            version = ProductVersion,
            pid = Environment.ProcessId,
            ppid = s.ParentPid ?? 0,
            argv = string.Join(' ', Environment.GetCommandLineArgs()),
            cwd = Environment.CurrentDirectory,
            mem_kbyte = s.RssKb,
            mem_percent = s.MemPercent,
            cpu_percent = s.ProcessCpuPercent,
            srs_uptime = s.UptimeSeconds,
        },
        system = new
        {
            cpu_percent = s.SystemCpuPercent,
            mem_ram_kbyte = s.Memory.TotalKb,
            mem_ram_percent = s.Memory.RamPercent,
            mem_swap_kbyte = s.Memory.SwapTotalKb,
            mem_swap_percent = s.Memory.SwapPercent,
            cpus = s.Cpus,
            cpus_online = s.Cpus,
            uptime = s.OsUptime,
            ilde_time = s.OsIdle,
            load_1m = s.Load.One,
            load_5m = s.Load.Five,
            load_15m = s.Load.Fifteen,
            conn_sys = s.Sockets.TcpInUse,
            conn_sys_et = s.Sockets.TcpEstablished,
            conn_sys_tw = s.Sockets.TcpTimeWait,
            conn_sys_udp = s.Sockets.UdpInUse,
            conn_srs = connections,
        },
    };

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
            vhost = VhostId(s.Stream.Vhost),
            app = s.Stream.App,
            tcUrl = publisher?.TcUrl ?? string.Empty,
            url = s.Stream.Url,
            live_ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            clients = s.Readers.Count(r => r.Internal is null) + (publisher is null ? 0 : 1),
            frames = stats?.FramesIn ?? counters.Frames,
            send_bytes = stats?.BytesOut ?? counters.BytesOut,
            recv_bytes = stats?.BytesIn ?? counters.BytesIn,
            kbps = new { recv_30s = counters.KbpsIn, send_30s = counters.KbpsOut },
            publish = publisher is null ? (object)new { active = false } : new { active = true, cid = publisher.Id },
            video = video is null ? null : new { codec = video.Codec, profile = video.Profile, level = video.Level, width = video.Width, height = video.Height },
            audio = audio is null ? null : new { codec = audio.Codec, sample_rate = audio.SampleRate, channel = audio.Channels, profile = audio.Profile },
            workers = s.Workers.Select(w => new { name = w.Name, running = w.Running, reason = w.Reason, state = w.State, output = w.Output, restarts = w.Restarts, log = w.Log }),
            source = s.Source is null ? null : SourceEndpoints.SourceJson(s.Source),
            lineage = publisher?.Internal?.Lineage.Select(l => new { source = StreamDirectory.IdOf(l.Source), source_name = l.Source.ToString(), engine = l.Engine }),
            node = s.PublisherNode?.ToString(),
            entity_node = s.EntityNode,
        };
    }

    private static object ClientJson(ClientView client, string where)
    {
        var info = client.Info;
        var alive = (DateTimeOffset.UtcNow - info.ConnectedAt).TotalSeconds;
        var hasStream = info.Stream.Vhost is not null && info.Kind != ClientKind.RtmpConnecting;
        return new
        {
            id = info.Id,
            vhost = info.Stream.Vhost is null ? string.Empty : VhostId(info.Stream.Vhost),
            stream = hasStream ? StreamDirectory.IdOf(info.Stream) : string.Empty,
            ip = info.Ip,
            pageUrl = info.PageUrl,
            swfUrl = info.SwfUrl,
            tcUrl = info.TcUrl,
            url = hasStream ? info.Stream.Url : string.Empty,
            name = info.Stream.Stream ?? string.Empty,
            type = info.SrsType,
            publish = info.IsPublisher,
            alive = Math.Round(alive, 3),
            send_bytes = client.BytesSent,
            recv_bytes = client.BytesReceived,
            kbps = new
            {
                recv_30s = alive > 0 ? (int)(client.BytesReceived * 8 / 1000 / alive) : 0,
                send_30s = alive > 0 ? (int)(client.BytesSent * 8 / 1000 / alive) : 0,
            },
            node = where,
        };
    }
}
