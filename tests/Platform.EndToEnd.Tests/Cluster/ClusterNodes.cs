using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>
/// Three node processes on loopback in one cluster (distinct ports, node 1 the seed), sharing one
/// PostgreSQL for persistence (<c>PLATFORM_TEST_POSTGRES</c>, which the test command sets up) and a
/// cluster secret for their media links.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public const string Secret = "cluster-test-secret-0123456789";
    private readonly string _root;

    private ClusterNodes(string root, List<ServerProcess> nodes)
    {
        _root = root;
        Nodes = nodes;
    }

    public List<ServerProcess> Nodes { get; }

    public ServerProcess this[int index] => Nodes[index];

    public static string Postgres =>
        Environment.GetEnvironmentVariable("PLATFORM_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=5432;Database=platform_test;Username=platform;Password=platform";

    /// <param name="perNode">Settings of node i (0-based) on top of the others (roles, for instance).</param>
    public static async Task<ClusterNodes> StartAsync(int count = 3, IDictionary<string, string?>? extra = null, Func<int, IDictionary<string, string?>>? perNode = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        // All at once: ports freed by one call could be handed out again by the next.
        var all = TestServer.FreePorts(6 * count);
        var ports = Enumerable.Range(0, count).Select(i => all[(6 * i)..(6 * (i + 1))]).ToList();
        var seed = $"akka.tcp://platform@127.0.0.1:{ports[0][4]}";
        var nodes = new List<ServerProcess>();
        var cluster = new ClusterNodes(root, nodes);
        try
        {
            nodes.Add(await ServerProcess.StartAsync(Settings(seed, extra, perNode?.Invoke(0)), Path.Combine(root, "node1"), ports[0]));
            var others = Enumerable.Range(1, count - 1)
                .Select(i => ServerProcess.StartAsync(Settings(seed, extra, perNode?.Invoke(i)), Path.Combine(root, $"node{i + 1}"), ports[i]))
                .ToList();
            nodes.AddRange(await Task.WhenAll(others));
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
            {
                var members = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members");
                return members.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up") == count;
            }, TimeSpan.FromSeconds(60), $"{count} members up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static Dictionary<string, string?> Settings(string seed, IDictionary<string, string?>? extra, IDictionary<string, string?>? own)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Seeds:0"] = seed,
            ["Cluster:Secret"] = Secret,
            ["Cluster:LinkLinger"] = "00:00:03",

            // A stopped node drains briefly: tests that stop nodes are not about the drain's wait.
            ["Cluster:DrainTimeout"] = "00:00:03",
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = Postgres,
            ["Streams:IdleTimeout"] = "00:00:02",
            ["Apps:0:Hls:Fragment"] = "00:00:01",
            ["Apps:0:Hls:Window"] = "00:00:10",
            ["Apps:0:Hls:CleanupAfter"] = "00:00:02",
            ["Logging:LogLevel:Platform"] = "Information",
            ["Logging:LogLevel:Akka"] = "Warning",
        };
        foreach (var (key, value) in (extra ?? new Dictionary<string, string?>()).Concat(own ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>What every node's log says, for a failing assertion's message.</summary>
    public string Logs => string.Join("\n", Nodes.Select((n, i) => $"--- node{i + 1}\n{Tail(n.Output)}"));

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
