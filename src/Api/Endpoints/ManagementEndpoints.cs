using Akka.Actor;
using Akka.Cluster;
using Platform.Api.Hosting;

namespace Platform.Api.Endpoints;

/// <summary>Health probes and the cluster view, in the shapes of the JVM akka-management HTTP module.</summary>
public static class ManagementEndpoints
{
    public static void MapManagementEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/alive", () => Results.Text("OK"));
        routes.MapGet("/ready", (Readiness readiness) =>
            readiness.IsReady ? Results.Text("OK") : Results.Text("Not ready: " + readiness.Describe(), statusCode: 500));
        routes.MapGet("/cluster/members", (ActorSystem system) =>
        {
            var cluster = Cluster.Get(system);
            var state = cluster.State;
            return Results.Json(new
            {
                selfNode = cluster.SelfAddress.ToString(),
                members = state.Members.Select(m => new
                {
                    node = m.Address.ToString(),
                    nodeUid = m.UniqueAddress.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    status = m.Status.ToString(),
                    roles = m.Roles,
                }),
                unreachable = state.Unreachable.Select(m => new { node = m.Address.ToString(), observedBy = Array.Empty<string>() }),
                leader = state.Leader?.ToString(),
                oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault()?.Address.ToString(),
            });
        });
        routes.MapTelemetryEndpoints();
    }
}
