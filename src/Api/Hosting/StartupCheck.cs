using System.Net;
using System.Net.Sockets;

namespace Platform.Api.Hosting;

/// <summary>A start-up problem reported with the configuration key that causes it.</summary>
public sealed class StartupException(string message) : Exception(message);

/// <summary>Checks, before anything starts, that every configured listener can bind.</summary>
public static class StartupCheck
{
    /// <summary>
    /// A PostgreSQL journal must answer before the node starts: a node whose persistence is unreachable would
    /// join the cluster and then fail its recordings' catalog one by one. (SQLite is a local file.)
    /// </summary>
    public static void EnsurePersistence(StorageOptions storage)
    {
        if (!storage.IsPostgreSql)
        {
            return;
        }

        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult result = default;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            result = PersistenceCheck.QueryAsync(storage, CancellationToken.None).GetAwaiter().GetResult();
            if (result.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                return;
            }

            Thread.Sleep(TimeSpan.FromSeconds(1));
        }

        throw new StartupException($"Storage:ConnectionString: {result.Description}");
    }

    public static void EnsurePortsFree(PlatformOptions options)
    {
        var endpoints = new List<(string Key, string Address, int Port)>
        {
            ("Rtmp:Port", options.Rtmp.BindAddress, options.Rtmp.Port),
            ("Http:Port", options.Http.BindAddress, options.Http.Port),
            ("Api:Port", options.Api.BindAddress, options.Api.Port),
            ("Management:Port", options.Management.BindAddress, options.Management.Port),
            ("Cluster:Port", options.Cluster.EffectiveBindAddress, options.Cluster.Port),
        };
        if (options.Cluster.LinksEnabled)
        {
            endpoints.Add(("Cluster:MediaPort", options.Cluster.EffectiveMediaBindAddress, options.Cluster.MediaPort));
        }

        // Every problem at once: an operator fixes them all in one edit, not one per start.
        var problems = new List<string>();
        var seen = new Dictionary<int, string>();
        foreach (var (key, address, port) in endpoints)
        {
            if (port is < 0 or > 65535)
            {
                problems.Add($"{key} = {port} is not a TCP port (0-65535)");
                continue;
            }

            if (port != 0 && !seen.TryAdd(port, key))
            {
                problems.Add($"{key} = {port} is also {seen[port]}; every listener needs its own port");
                continue;
            }

            if (!IPAddress.TryParse(address, out var ip))
            {
                problems.Add($"the bind address '{address}' for {key} is not an IP address");
                continue;
            }

            if (port == 0)
            {
                continue;
            }

            try
            {
                using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(ip, port));
            }
            catch (SocketException ex)
            {
                problems.Add($"{key} = {port}: cannot listen on {address}:{port} ({ex.SocketErrorCode}); is another server running?");
            }
        }

        if (problems.Count > 0)
        {
            throw new StartupException(string.Join("; ", problems));
        }
    }
}
