using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>What a node's API says of the cluster, read the way an operator's script would.</summary>
public static class ClusterApiCalls
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public static Task<JsonElement> GetAsync(ServerProcess node, string path) =>
        Http.GetFromJsonAsync<JsonElement>(node.Api(path));

    /// <param name="allowPartial">False: every member must have answered (none is down).</param>
    public static async Task<List<JsonElement>> ClientsAsync(ServerProcess node, bool allowPartial = false)
    {
        var body = await GetAsync(node, "/api/v1/clients?count=10000");
        Assert.True(allowPartial || !body.GetProperty("partial").GetBoolean(), "a node did not answer");
        return [.. body.GetProperty("clients").EnumerateArray()];
    }

    public static async Task<JsonElement?> StreamAsync(ServerProcess node, string name)
    {
        var body = await GetAsync(node, "/api/v1/streams?count=10000");
        foreach (var stream in body.GetProperty("streams").EnumerateArray())
        {
            if (stream.GetProperty("name").GetString() == name)
            {
                return stream;
            }
        }

        return null;
    }

    public static bool IsPublished(JsonElement? stream) =>
        stream is { } s && s.GetProperty("publish").GetProperty("active").GetBoolean();

    public static string Type(JsonElement client) => client.GetProperty("type").GetString()!;

    public static string Node(JsonElement client) => client.GetProperty("node").GetString()!;

    public static string Url(JsonElement client) => client.GetProperty("url").GetString()!;

    /// <summary>
    /// Creates the entity of <c>live/{name}</c> with a player that waits on node 1 (a second at most once
    /// published), and returns that player and the node the entity landed on.
    /// </summary>
    public static async Task<(Task<(int Exit, string Errors, int Frames)> Waiting, ServerProcess Node)> EntityNodeAsync(ClusterNodes cluster, string name)
    {
        var waiting = Probe.DecodeAsync(cluster[0].Rtmp("live/" + name), 1, TimeSpan.FromSeconds(30));
        var entityNode = "";
        await Eventually.TrueAsync(async () =>
        {
            entityNode = (await StreamAsync(cluster[0], name))?.GetProperty("entity_node").GetString() ?? "";
            return entityNode.Length > 0;
        }, TimeSpan.FromSeconds(20), "the stream's entity");
        return (waiting, cluster.Nodes.Single(n => n.Address == entityNode));
    }

    /// <summary>Waits until an HLS playlist of the stream is served by the node (its first segments are out).</summary>
    public static Task WaitHlsAsync(ServerProcess node, string path) =>
        Eventually.TrueAsync(async () => (await Http.GetAsync(node.Http(path))).IsSuccessStatusCode, TimeSpan.FromSeconds(40), $"{path} on {node.Address}");

    /// <summary>
    /// Publishes until a node accepts it, as an encoder that reconnects does: a node may refuse (the stream's
    /// previous publisher is still known) or not answer in time (the stream's entity is moving).
    /// </summary>
    public static async Task<Ffmpeg> PublishUntilAcceptedAsync(ServerProcess node, string path, TimeSpan timeout, int seconds = 600)
    {
        var deadline = DateTime.UtcNow + timeout;
        var name = path[(path.LastIndexOf('/') + 1)..];
        while (true)
        {
            var publisher = Ffmpeg.Publish(node.Rtmp(path), seconds);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < until && !publisher.HasExited)
            {
                // Accepted: the stream's entity has this node's publisher.
                if (await StreamAsync(node, name) is { } stream && IsPublished(stream) && stream.GetProperty("node").GetString() == node.Address)
                {
                    return publisher;
                }

                await Task.Delay(300);
            }

            await publisher.DisposeAsync();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{node.Address} did not accept a publisher of {path} in {timeout.TotalSeconds} s");
            }

            await Task.Delay(500);
        }
    }
}
