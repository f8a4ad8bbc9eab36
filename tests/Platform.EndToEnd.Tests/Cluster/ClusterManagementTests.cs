using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>
/// Nodes that form a cluster by Cluster Bootstrap (config discovery, no seeds), and the management API in the
/// shapes of Akka Management: members, one member, shards, Leave and Down, behind <c>Management:Auth</c>.
/// </summary>
public sealed class ClusterManagementTests
{
    private const string Token = "management-test-token-0123456789";

    [Fact]
    public async Task Nodes_started_together_form_one_cluster_by_discovery_a_fourth_joins_and_leave_and_down_work()
    {
        var root = Path.Combine(Path.GetTempPath(), "platform-bootstrap-" + Guid.NewGuid().ToString("N")[..8]);
        var all = TestServer.FreePorts(6 * 5);
        var ports = Enumerable.Range(0, 5).Select(i => all[(6 * i)..(6 * (i + 1))]).ToList();
        var nodes = new List<ServerProcess>();
        try
        {
            // Three nodes at once, each knowing the three management endpoints: no seed, no order.
            nodes.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
                ServerProcess.StartAsync(Settings(ports, 3), Path.Combine(root, $"node{i + 1}"), ports[i]))));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            foreach (var node in nodes)
            {
                // A node is ready once it is Up itself; seeing the other two Up can take a gossip round more.
                JsonElement members = default;
                await Eventually.TrueAsync(async () =>
                {
                    members = await MembersAsync(http, node);
                    return members.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up") == 3;
                }, TimeSpan.FromSeconds(30), $"three members Up as {node.Address} sees them");
                Assert.Equal(node.Address, members.GetProperty("selfNode").GetString());
            }

            // The cluster routes ask for the credentials; the probes and the contact point do not.
            using (var anonymous = new HttpClient())
            {
                var refused = await anonymous.GetAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members");
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
                Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/ready")).StatusCode);
                var seeds = await anonymous.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{nodes[0].ManagementPort}/bootstrap/seed-nodes");
                Assert.Equal(3, seeds.GetProperty("Nodes").GetArrayLength());
            }

            // A fourth node, started later, joins the cluster the three formed.
            nodes.Add(await ServerProcess.StartAsync(Settings(ports, 4), Path.Combine(root, "node4"), ports[3]));
            await Eventually.TrueAsync(async () => (await MembersAsync(http, nodes[0])).GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up") == 4,
                TimeSpan.FromSeconds(30), "four members up");
            var fourth = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members/{Uri.EscapeDataString(nodes[3].Address)}");
            Assert.Equal("Up", fourth.GetProperty("status").GetString());
            Assert.Equal(nodes[3].Address, fourth.GetProperty("node").GetString());
            var unknown = await http.GetAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members/{Uri.EscapeDataString("akka.tcp://platform@127.0.0.1:1")}");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

            // A stream's entity is in exactly one node's shards.
            await using var publisher = Ffmpeg.Publish(nodes[0].Rtmp("live/shards"));
            await Eventually.TrueAsync(async () => IsPublished(await StreamAsync(nodes[0], "shards")), TimeSpan.FromSeconds(30), "published");
            var entities = 0;
            foreach (var node in nodes)
            {
                var shards = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{node.ManagementPort}/cluster/shards/streams");
                Assert.Equal(0, shards.GetProperty("failed").GetArrayLength());
                entities += shards.GetProperty("regions").EnumerateArray().Sum(r => r.GetProperty("numEntities").GetInt32());
            }

            Assert.Equal(1, entities);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/shards/no-such-region")).StatusCode);
            var bad = await http.PutAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members/{Uri.EscapeDataString(nodes[3].Address)}", Operation("Reboot"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

            // Down: the fourth node is out of the cluster at once, and its process ends.
            var down = await http.PutAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members/{Uri.EscapeDataString(nodes[3].Address)}", Operation("Down"));
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            await Eventually.TrueAsync(async () => !(await MemberAddressesAsync(http, nodes[0])).Contains(nodes[3].Address), TimeSpan.FromSeconds(20), "the downed node removed");
            await Eventually.TrueAsync(() => nodes[3].HasExited, TimeSpan.FromSeconds(30), "the downed node's process ended");

            // Leave, asked of node 1 for node 3: node 3 drains, leaves and exits 0.
            var leave = await http.PutAsync($"http://127.0.0.1:{nodes[0].ManagementPort}/cluster/members/{Uri.EscapeDataString(nodes[2].Address)}", Operation("Leave"));
            Assert.Equal(HttpStatusCode.OK, leave.StatusCode);
            await Eventually.TrueAsync(() => nodes[2].HasExited, TimeSpan.FromSeconds(40), "the leaving node's process ended");
            Assert.True(nodes[2].ExitCode == 0, $"exit code {nodes[2].ExitCode}: {nodes[2].Output}");
            Assert.Contains("draining (asked to leave by", nodes[2].Output, StringComparison.Ordinal);
            await Eventually.TrueAsync(async () => (await MemberAddressesAsync(http, nodes[0])).Count == 2, TimeSpan.FromSeconds(20), "two members left");

            // A node with another secret that finds this cluster stops, naming the key.
            var stranger = ServerProcess.Launch(Settings(ports, 5, secret: "not-this-clusters-secret-0123"), Path.Combine(root, "node5"), ports[4]);
            await using (stranger)
            {
                await Eventually.TrueAsync(() => stranger.HasExited, TimeSpan.FromSeconds(60), "the node with another secret stops");
                Assert.True(stranger.ExitCode == 2, $"exit code {stranger.ExitCode}: {stranger.Output}");
                Assert.Contains("Cluster:Secret differs", stranger.Output, StringComparison.Ordinal);
            }

            await Eventually.TrueAsync(async () => (await MemberAddressesAsync(http, nodes[0])).Count == 2, TimeSpan.FromSeconds(20), "the stranger gone from the cluster");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <param name="known">How many nodes' management endpoints the node is given (the first ones).</param>
    private static Dictionary<string, string?> Settings(List<int[]> ports, int known, string secret = ClusterNodes.Secret)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Cluster:Bootstrap:Discovery"] = "config",
            ["Cluster:Bootstrap:RequiredContactPoints"] = "3",
            ["Cluster:Secret"] = secret,
            ["Cluster:DrainTimeout"] = "00:00:03",
            ["Management:Auth:Token"] = Token,
            ["Storage:Provider"] = "postgresql",
            ["Storage:ConnectionString"] = ClusterNodes.Postgres,
            ["Logging:LogLevel:Platform"] = "Information",
            ["Logging:LogLevel:Akka"] = "Warning",
        };
        for (var i = 0; i < known; i++)
        {
            settings[$"Cluster:Bootstrap:Endpoints:{i}"] = $"127.0.0.1:{ports[i][3]}";
        }

        return settings;
    }

    private static FormUrlEncodedContent Operation(string operation) => new([new("operation", operation)]);

    private static Task<JsonElement> MembersAsync(HttpClient http, ServerProcess node) =>
        http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{node.ManagementPort}/cluster/members");

    private static async Task<List<string>> MemberAddressesAsync(HttpClient http, ServerProcess node) =>
        [.. (await MembersAsync(http, node)).GetProperty("members").EnumerateArray().Select(m => m.GetProperty("node").GetString()!)];
}
