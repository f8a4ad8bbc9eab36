using System.Diagnostics;
using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>Transcode engines on a three-node cluster: placed on the nodes with the engines' role, moved when such a node dies.</summary>
[Collection("e2e")]
public class ClusterEngineTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Engines = new()
    {
        ["Placement:Engines"] = "transcode",
        ["Apps:0:Engines:0:Name"] = "low",
        ["Apps:0:Engines:0:Video:Width"] = "160",
        ["Apps:0:Engines:0:Video:Height"] = "120",
        ["Apps:0:Engines:0:Video:Preset"] = "ultrafast",
        ["Apps:0:Engines:0:Video:Bitrate"] = "200",
        ["Apps:0:Engines:0:Audio:Bitrate"] = "48",
    };

    [Fact]
    public async Task Engines_run_on_transcode_nodes_and_start_again_on_another_when_theirs_is_killed()
    {
        await using var cluster = await ClusterNodes.StartAsync(extra: Engines, perNode: i => i == 0
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Cluster:Roles:0"] = "transcode" });
        var (a, b, c) = (cluster[0], cluster[1], cluster[2]);
        await using var publisher = Ffmpeg.Publish(a.Rtmp("live/place"));

        // The rendition is published by a node with the role, whatever node hosts the source's entity.
        var first = string.Empty;
        await Eventually.TrueAsync(async () =>
        {
            var rendition = await StreamAsync(a, "place_low");
            first = IsPublished(rendition) ? rendition!.Value.GetProperty("node").GetString()! : string.Empty;
            return first.Length > 0;
        }, TimeSpan.FromSeconds(60), "the rendition published");
        Assert.Contains(first, new[] { b.Address, c.Address });
        Assert.DoesNotContain("engine low: started ffmpeg", a.Output, StringComparison.Ordinal);
        var source = (await StreamAsync(a, "place"))!.Value;
        var engine = source.GetProperty("workers").EnumerateArray().Single(w => w.GetProperty("name").GetString() == "engine-low");
        await Eventually.TrueAsync(async () => (await StreamAsync(a, "place"))!.Value.GetProperty("workers").EnumerateArray()
            .Single(w => w.GetProperty("name").GetString() == "engine-low").GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(30), "the engine's state reported across nodes");

        // Played on the node without the role, over the media link.
        var played = await Probe.StreamsAsync(a.Rtmp("live/place_low"), TimeSpan.FromSeconds(60));
        Assert.Contains(played, s => s is { CodecType: "video", Width: 160, Height: 120 });

        // Its node dies: the engine starts on the other transcode node and the rendition goes on.
        var (victim, survivor) = first == b.Address ? (b, c) : (c, b);
        var clock = Stopwatch.StartNew();
        var killedAt = DateTime.Now.TimeOfDay;
        victim.Kill();
        await Eventually.TrueAsync(async () =>
        {
            var rendition = await StreamAsync(a, "place_low");
            return IsPublished(rendition) && rendition!.Value.GetProperty("node").GetString() == survivor.Address;
        }, TimeSpan.FromSeconds(60), "the rendition published again by the surviving transcode node\n" + cluster.Logs);
        output.WriteLine($"rendition back from {survivor.Address} {clock.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed.TotalSeconds:0.0} s to publish the rendition again");

        // The engine itself started again on the survivor within 15 s (its log line's time against the kill's).
        var line = survivor.Output.Split('\n').First(l => l.Contains("engine low: started ffmpeg", StringComparison.Ordinal));
        var restarted = TimeSpan.ParseExact(line[..12], @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture) - killedAt;
        output.WriteLine($"engine started again {restarted.TotalSeconds:0.0} s after the kill");
        Assert.InRange(restarted, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        var (exit, errors, frames) = await Probe.DecodeAsync(a.Rtmp("live/place_low"), 3, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0 && errors.Length == 0, errors);
        Assert.True(frames >= 50, $"{frames} frames after the move");
    }
    [Fact]
    public async Task Recordings_are_made_on_the_recorder_node_whatever_node_hosts_the_stream()
    {
        await using var cluster = await ClusterNodes.StartAsync(
            extra: new Dictionary<string, string?> { ["Placement:Dvr"] = "recorder", ["Apps:0:Dvr:Enabled"] = "true" },
            perNode: i => i == 2 ? new Dictionary<string, string?> { ["Cluster:Roles:0"] = "recorder" } : new Dictionary<string, string?>());
        var (a, b, recorder) = (cluster[0], cluster[1], cluster[2]);
        foreach (var name in new[] { "rec1", "rec2", "rec3" })
        {
            await using var publisher = Ffmpeg.Publish(a.Rtmp($"live/{name}"), seconds: 6);
            await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        // Every recording is on the recorder's disk, none on the others', and the catalog lists them.
        var folder = Path.Combine(recorder.StorageRoot, "dvr", "live");
        await Eventually.TrueAsync(() => Directory.Exists(folder) && Directory.GetFiles(folder, "rec*.flv").Length == 3,
            TimeSpan.FromSeconds(60), "three recordings on the recorder node\n" + cluster.Logs);
        foreach (var other in new[] { a, b })
        {
            var elsewhere = Path.Combine(other.StorageRoot, "dvr");
            Assert.True(!Directory.Exists(elsewhere) || Directory.GetFiles(elsewhere, "*.flv", SearchOption.AllDirectories).Length == 0, $"recordings on {other.Address}");
        }

        foreach (var file in Directory.GetFiles(folder, "rec*.flv"))
        {
            Assert.InRange(await Probe.DurationAsync(file), 4.0, 6.5);
        }
    }
}
