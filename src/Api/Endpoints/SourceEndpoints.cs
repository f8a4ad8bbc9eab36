using Akka.Actor;
using Platform.Api.Hosting;
using Platform.Api.Nodes;
using Platform.Sources.Config;
using Platform.Streams;
using Platform.Streams.Entity;
using Platform.Streams.Sources;
using Platform.Streams.Workers;

namespace Platform.Api.Endpoints;

/// <summary>
/// Pulled sources (<c>Sources</c> and apps' upstream origins) on the API port: <c>GET /api/v1/sources</c> lists
/// every configured source and every stream being pulled in the cluster, with its state, node, uptime,
/// restarts, bit rate and last error; <c>POST</c> starts one (an on-demand source then runs without readers),
/// <c>DELETE</c> stops one (an always-on source stays off) until it is started again. A source is named by
/// its stream's id or by <c>app/stream</c> (<c>vhost/app/stream</c>).
/// </summary>
public static class SourceEndpoints
{
    public static void MapSourceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/sources", async (NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct) =>
        {
            var (streams, missing) = await new StreamDirectory(control).ListClusterAsync(ct);
            var list = new List<object>();
            var seen = new HashSet<StreamKey>();
            foreach (var stream in streams.Where(s => s.Source is not null))
            {
                seen.Add(stream.Stream);
                list.Add(Entry(stream.Stream, stream.Source!, stream));
            }

            foreach (var rule in rules.Rules.Where(r => r.Enabled))
            {
                if (Fixed(rule.Stream) is { } key && !seen.Contains(key) && rules.Catalog.Resolve(key) is { } spec)
                {
                    var state = spec.AlwaysOn ? "starting" : "idle";
                    var reason = spec.AlwaysOn ? "waiting for its entity to start it" : "no readers";
                    list.Add(Entry(key, new SourceStatus(spec.Shown, spec.Kind, spec.AlwaysOn, state, reason, 0, DateTimeOffset.UtcNow), null));
                }
            }

            var patterns = rules.Rules.Where(r => r.Enabled && Fixed(r.Stream) is null)
                .Select(r => new { stream = r.Stream, url = SourceUrls.Shown(r.Url), on_demand = r.OnDemand });
            return ApiEndpoints.Envelope(node, new() { ["sources"] = list, ["patterns"] = patterns, ["partial"] = missing.Count > 0, ["missing"] = missing });
        });

        routes.MapPost("/api/v1/sources/{id}", (string id, NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct) =>
            ControlAsync(id, start: true, node, control, rules, ct));
        routes.MapDelete("/api/v1/sources/{id}", (string id, NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct) =>
            ControlAsync(id, start: false, node, control, rules, ct));
        routes.MapPost("/api/v1/sources/{app}/{stream}", (string app, string stream, NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct) =>
            ControlAsync($"{app}/{stream}", start: true, node, control, rules, ct));
        routes.MapDelete("/api/v1/sources/{app}/{stream}", (string app, string stream, NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct) =>
            ControlAsync($"{app}/{stream}", start: false, node, control, rules, ct));
    }

    /// <summary>A stream's source as the API shows it (also in <c>/api/v1/streams</c>).</summary>
    public static object SourceJson(SourceStatus source) => new
    {
        url = source.Url,
        kind = source.Kind,
        always_on = source.AlwaysOn,
        state = source.State,
        reason = source.Reason,
        restarts = source.Restarts,
        since = source.Since,
        uptime_s = source.RunningSince is { } since ? Math.Round((DateTimeOffset.UtcNow - since).TotalSeconds, 1) : (double?)null,
        last_error = source.LastError,
        log = source.Log,
    };

    private static object Entry(StreamKey key, SourceStatus source, StreamSnapshot? stream) => new
    {
        id = StreamDirectory.IdOf(key),
        stream = $"{key.App}/{key.Stream}",
        vhost = key.Vhost,
        source = SourceJson(source),
        node = stream?.PublisherNode?.ToString() ?? stream?.EntityNode,
        kbps = stream?.Counters.KbpsIn ?? 0,
        publishing = stream?.Publisher is not null,
    };

    private static StreamKey? Fixed(string stream)
    {
        if (stream.Contains('{', StringComparison.Ordinal))
        {
            return null;
        }

        var id = stream.Count(c => c == '/') == 1 ? $"{StreamKey.DefaultVhost}/{stream}" : stream;
        return StreamKey.TryParse(id, out var key) ? key : null;
    }

    private static async Task<IResult> ControlAsync(string id, bool start, NodeIdentity node, StreamControl control, SourceRules rules, CancellationToken ct)
    {
        var key = Fixed(Uri.UnescapeDataString(id));
        if (key is null || rules.Catalog.Resolve(key.Value) is null)
        {
            // An id: a configured source's stream or a stream being pulled now.
            key = rules.Rules.Select(r => Fixed(r.Stream)).FirstOrDefault(k => k is { } s && StreamDirectory.IdOf(s) == id);
            if (key is null)
            {
                var streams = await new StreamDirectory(control).ListAsync(ct);
                key = streams.FirstOrDefault(s => s.Source is not null && StreamDirectory.IdOf(s.Stream) == id)?.Stream;
            }
        }

        if (key is null || rules.Catalog.Resolve(key.Value) is null)
        {
            return ApiEndpoints.Error(node, ApiEndpoints.ErrorStreamNotFound, StatusCodes.Status404NotFound, $"no source {id}");
        }

        object command = start ? new StartSource(key.Value) : new StopSource(key.Value);
        var reply = await control.Region.Ask<WorkerControlled>(command, control.Options.AskTimeout, ct);
        return reply.Done
            ? ApiEndpoints.Envelope(node, new() { ["source"] = new { stream = $"{key.Value.App}/{key.Value.Stream}", running = start, reason = reply.Reason } })
            : ApiEndpoints.Error(node, ApiEndpoints.ErrorWorkerRefused, StatusCodes.Status409Conflict, reply.Reason);
    }
}
