using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>Origins host the streams' entities and workers; an edge hosts none and serves players through links.</summary>
[Collection("e2e")]
public class ClusterRoleTests
{
    [Fact]
    public async Task An_edge_serves_players_of_origin_streams_refuses_publishers_and_is_not_ready_without_origins()
    {
        await using var cluster = await ClusterNodes.StartAsync(perNode: i => i < 2
            ? new Dictionary<string, string?> { ["Cluster:Roles:0"] = "origin" }
            : new Dictionary<string, string?> { ["Cluster:Roles:0"] = "edge", ["Cluster:EdgePublishers"] = "refuse" });
        var (origin, other, edge) = (cluster[0], cluster[1], cluster[2]);

        // An edge set to refuse publishers answers NetStream.Publish.Denied.
        await using (var refused = Ffmpeg.Publish(edge.Rtmp("live/edge"), 10))
        {
            await refused.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, refused.ExitCode);
        }

        Assert.Null(await StreamAsync(origin, "edge"));

        await using var publisher = Ffmpeg.Publish(origin.Rtmp("live/edge"));
        var (exit, errors, frames) = await Probe.DecodeAsync(edge.Rtmp("live/edge"), 3, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 60, $"{frames} frames on the edge");
        await WaitHlsAsync(edge, "live/edge.m3u8");
        var hls = await Probe.DecodeAsync(edge.Http("live/edge.m3u8"), 2, TimeSpan.FromSeconds(60));
        Assert.True(hls.Exit == 0 && hls.Errors.Length == 0, hls.Errors);

        var stream = await StreamAsync(edge, "edge");
        Assert.Contains(stream!.Value.GetProperty("entity_node").GetString(), new[] { origin.Address, other.Address });
        var summary = await GetAsync(edge, "/api/v1/summaries");
        var edgeNode = summary.GetProperty("cluster").GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == edge.Address);
        Assert.Equal(0, edgeNode.GetProperty("entities").GetInt32());

        // With only the edge left (the origins stopped), it says it cannot serve.
        origin.Terminate();
        other.Terminate();
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            var ready = await http.GetAsync($"http://127.0.0.1:{edge.ManagementPort}/ready");
            return !ready.IsSuccessStatusCode && (await ready.Content.ReadAsStringAsync()).Contains("no origin", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the edge not ready without origins");
        Assert.Contains("no origin is up", edge.Output, StringComparison.Ordinal);
    }
}
