using System.Data.Common;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Api.Hosting;

/// <summary>
/// <c>/alive</c> and <c>/ready</c> as ASP.NET health checks. Alive: the actor system runs (Akka.Hosting's
/// liveness check). Ready: that, and this node is an Up member (not joining, leaving or exiting), its
/// listeners are open, it is not draining, and its persistence answers a query.
/// </summary>
public static class HealthChecks
{
    public const string Liveness = "liveness";
    public const string Ready = "ready";

    public static IServiceCollection AddPlatformHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<PersistenceCheck>();
        services.AddHealthChecks()
            .AddCheck<NodeReadyCheck>("node", tags: [Ready])
            .AddCheck<PersistenceCheck>("persistence", tags: [Ready]);
        return services;
    }

    /// <summary>The Akka parts: the actor system's liveness, and the cluster member's readiness.</summary>
    public static AkkaConfigurationBuilder WithPlatformHealthChecks(this AkkaConfigurationBuilder builder) =>
        builder.WithActorSystemLivenessCheck(tags: [Liveness, Ready])
            .WithHealthCheck("cluster-member", (system, _, _) =>
            {
                var self = Cluster.Get(system).SelfMember;
                return Task.FromResult(self.Status == MemberStatus.Up
                    ? HealthCheckResult.Healthy($"{self.Address} is Up")
                    : HealthCheckResult.Unhealthy($"{self.Address} is {self.Status}"));
            }, tags: [Ready]);

    public static void MapPlatformHealthChecks(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Liveness), ResponseWriter = WriteAsync });
        routes.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    /// <summary>"OK" when healthy, else one line per failing check, so a person reading a probe's answer sees why.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (report.Status == HealthStatus.Healthy)
        {
            return context.Response.WriteAsync("OK");
        }

        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description ?? e.Value.Exception?.Message}");
        return context.Response.WriteAsync("Not ready\n" + string.Join('\n', lines) + "\n");
    }
}

/// <summary>Listeners open, not draining, and (on an edge) an origin up.</summary>
public sealed class NodeReadyCheck(Readiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(readiness.Describe()));
}

/// <summary>
/// The journal's database answers <c>SELECT 1</c> within 2 s. The answer is kept 3 s, so frequent probes do
/// not turn into a query each.
/// </summary>
public sealed class PersistenceCheck(PlatformOptions options, ILogger<PersistenceCheck> log) : IHealthCheck
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _one = new(1, 1);
    private (DateTime At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_last is { } last && DateTime.UtcNow - last.At < Keep)
        {
            return last.Result;
        }

        await _one.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } again && DateTime.UtcNow - again.At < Keep)
            {
                return again.Result;
            }

            var result = await QueryAsync(options.Storage, cancellationToken);
            if (result.Status != (_last?.Result.Status ?? HealthStatus.Healthy))
            {
                log.Log(result.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Error, "persistence: {Status} {Description}", result.Status, result.Description);
            }

            _last = (DateTime.UtcNow, result);
            return result;
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Opens a connection to the journal's database and runs <c>SELECT 1</c>, within 2 s.</summary>
    public static async Task<HealthCheckResult> QueryAsync(StorageOptions storage, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await using DbConnection connection = storage.IsPostgreSql
                ? new Npgsql.NpgsqlConnection(storage.EffectiveConnectionString)
                : new Microsoft.Data.Sqlite.SqliteConnection(storage.EffectiveConnectionString);
            await connection.OpenAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Storage:Provider {storage.Provider} does not answer: {ex.Message}");
        }
    }
}
