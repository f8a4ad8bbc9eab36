using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.Net.Http.Headers;
using Platform.Api.Hosting;
using Platform.Api.Nodes;

namespace Platform.Api.Endpoints;

/// <summary>
/// The management port: health probes, the cluster bootstrap's contact point, and cluster management in
/// the shapes of the JVM akka-management HTTP module (<c>/cluster/members</c>, <c>/cluster/shards</c>).
/// The cluster routes ask for <c>Management:Auth</c> when it is set; the probes, the contact point and
/// <c>/metrics</c> are open (balancers, other nodes and scrapers call them).
/// </summary>
public static class ManagementEndpoints
{
    public static void MapManagementEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPlatformHealthChecks();
        routes.MapGet("/bootstrap/seed-nodes", SeedNodes);
        var cluster = routes.MapGroup("/cluster").AddEndpointFilter(RequireCredentials);
        cluster.MapGet("/members", Members);
        cluster.MapGet("/members/{**address}", Member);
        cluster.MapPut("/members/{**address}", ChangeMemberAsync);
        cluster.MapDelete("/members/{**address}", (string address, ActorSystem system, NodeDrain drain, ILoggerFactory loggers) =>
            LeaveAsync(address, system, drain, loggers.CreateLogger("Platform.Management")));
        cluster.MapGet("/shards/{name}", ShardsAsync);
        routes.MapTelemetryEndpoints();
    }

    /// <summary>What bootstrap's contact point answers: up to 5 reachable members, none while this node is leaving.</summary>
    private static IResult SeedNodes(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var self = cluster.SelfMember;
        var members = self.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed
            ? ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty
            : cluster.State.Members
                .Where(m => !cluster.State.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
                .Take(5)
                .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
                .ToImmutableList();

        // Bootstrap reads the answer with Newtonsoft.Json and the package's own types.
        var json = Newtonsoft.Json.JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members));
        return Results.Text(json, "application/json");
    }

    private static IResult Members(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var up = state.Members.Where(m => m.Status == MemberStatus.Up).ToList();
        return Results.Json(new
        {
            selfNode = cluster.SelfAddress.ToString(),
            members = state.Members.Select(MemberJson),
            unreachable = state.Unreachable.Select(m => new { node = m.Address.ToString(), observedBy = Array.Empty<string>() }),
            leader = state.Leader?.ToString(),
            oldest = up.OrderBy(m => m, Akka.Cluster.Member.AgeOrdering).FirstOrDefault()?.Address.ToString(),
            oldestPerRole = up.SelectMany(m => m.Roles).Distinct()
                .ToDictionary(r => r, r => up.Where(m => m.HasRole(r)).OrderBy(m => m, Akka.Cluster.Member.AgeOrdering).First().Address.ToString()),
        });
    }

    private static IResult Member(string address, ActorSystem system) =>
        Find(Cluster.Get(system), address) is { } member
            ? Results.Json(MemberJson(member))
            : NotFound(address);

    /// <summary>
    /// <c>operation=Leave</c>: the node drains and leaves (this node itself, or another one asked to); <c>Down</c>:
    /// the node is marked down at once (for one that is gone and will not come back by itself).
    /// </summary>
    private static async Task<IResult> ChangeMemberAsync(HttpRequest request, string address, ActorSystem system, NodeDrain drain, ILoggerFactory loggers)
    {
        var operation = request.HasFormContentType ? (await request.ReadFormAsync()).TryGetValue("operation", out var value) ? value.ToString() : null : request.Query["operation"].ToString();
        var log = loggers.CreateLogger("Platform.Management");
        switch (operation?.ToUpperInvariant())
        {
            case "LEAVE":
                return await LeaveAsync(address, system, drain, log);
            case "DOWN":
                var cluster = Cluster.Get(system);
                if (Find(cluster, address) is not { } member)
                {
                    return NotFound(address);
                }

                log.LogWarning("management: downing {Node}", member.Address);
                cluster.Down(member.Address);
                return Results.Json(new { message = $"Downing {member.Address}" });
            default:
                return Results.Json(new { message = $"Operation [{operation}] not supported: use Leave or Down" }, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> LeaveAsync(string address, ActorSystem system, NodeDrain drain, ILogger log)
    {
        var cluster = Cluster.Get(system);
        if (Find(cluster, address) is not { } member)
        {
            return NotFound(address);
        }

        if (member.Address == cluster.SelfAddress)
        {
            log.LogWarning("management: this node was asked to leave; draining");
            drain.Begin("asked to leave through the management API");
            return Results.Json(new { message = $"Leaving {member.Address}" });
        }

        // Another node drains itself like it would on SIGTERM; one that cannot be asked is made to leave directly.
        try
        {
            await system.ActorSelection(new RootActorPath(member.Address) / "user" / NodeApiActor.Name)
                .Ask<NodeDraining>(new DrainNode($"asked to leave by {cluster.SelfAddress} through the management API"), TimeSpan.FromSeconds(3));
            log.LogWarning("management: {Node} asked to drain and leave", member.Address);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            log.LogWarning("management: {Node} did not answer a drain request; it leaves the cluster without draining", member.Address);
            cluster.Leave(member.Address);
        }

        return Results.Json(new { message = $"Leaving {member.Address}" });
    }

    /// <summary>This node's shards of the region and the entities each holds, as <c>GET /cluster/shards/{name}</c> answers.</summary>
    private static async Task<IResult> ShardsAsync(string name, ActorSystem system)
    {
        IActorRef region;
        try
        {
            region = ClusterSharding.Get(system).ShardRegion(name);
        }
        catch (ArgumentException)
        {
            return Results.Json(new { message = $"Shard Region [{name}] not found" }, statusCode: StatusCodes.Status404NotFound);
        }

        try
        {
            var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(5));
            return Results.Json(new
            {
                regions = stats.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new { shardId = s.Key, numEntities = s.Value }),
                failed = stats.Failed,
            });
        }
        catch (AskTimeoutException)
        {
            return Results.Json(new { message = $"Shard Region [{name}] did not answer within 5 s" }, statusCode: StatusCodes.Status504GatewayTimeout);
        }
    }

    private static object MemberJson(Member m) => new
    {
        node = m.Address.ToString(),
        nodeUid = m.UniqueAddress.Uid.ToString(CultureInfo.InvariantCulture),
        status = m.Status.ToString(),
        roles = m.Roles,
    };

    /// <summary>
    /// A member by its address as <c>/cluster/members</c> shows it (<c>akka.tcp://platform@host:port</c>), or with the
    /// protocol left out (<c>platform@host:port</c>), or its <c>host:port</c> alone.
    /// </summary>
    internal static Member? Find(Cluster cluster, string address)
    {
        var text = Uri.UnescapeDataString(address).Trim('/');
        return cluster.State.Members.FirstOrDefault(m =>
        {
            var full = m.Address.ToString();
            return full == text
                || full.EndsWith("://" + text, StringComparison.Ordinal)
                || (m.Address.Host is { } host && m.Address.Port is { } port && $"{host}:{port}" == text);
        });
    }

    private static IResult NotFound(string address) =>
        Results.Json(new { message = $"Member [{Uri.UnescapeDataString(address)}] not found" }, statusCode: StatusCodes.Status404NotFound);

    private static async ValueTask<object?> RequireCredentials(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var authenticator = http.RequestServices.GetRequiredService<ManagementAuth>().Authenticator;
        var result = authenticator.Check(http.Request.Headers.Authorization);
        if (result == ApiAuthResult.Allowed)
        {
            return await next(context);
        }

        authenticator.Challenge(http.Response);

        return Results.Json(new { message = result == ApiAuthResult.Missing ? "credentials required" : "wrong credentials" }, statusCode: StatusCodes.Status401Unauthorized);
    }
}

/// <summary>The management port's credentials (<c>Management:Auth</c>), fixed at start.</summary>
public sealed class ManagementAuth(PlatformOptions options)
{
    public ApiAuthenticator Authenticator { get; } = new(options.Management.Auth);
}
