using System.Diagnostics;
using static Platform.EndToEnd.Tests.Cluster.ClusterApiCalls;

namespace Platform.EndToEnd.Tests.Cluster;

/// <summary>Pulled sources on a three-node cluster: one pull per stream whatever the readers, moved when its node dies.</summary>
[Collection("e2e")]
public class ClusterSourceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task An_always_on_source_runs_on_one_node_and_starts_again_on_another_when_its_node_is_killed()
    {
        // A file of its own, so the ffmpeg processes pulling it can be counted on this machine.
        var file = Path.Combine(Path.GetTempPath(), $"platform-e2e-source-{Guid.NewGuid():N}.flv");
        File.Copy(await Inputs.SmallFlvAsync(), file);
        try
        {
            await using var cluster = await ClusterNodes.StartAsync(extra: new Dictionary<string, string?>
            {
                ["Sources:0:Stream"] = "live/channel",
                ["Sources:0:Url"] = file,
            });
            var first = string.Empty;
            await Eventually.TrueAsync(async () =>
            {
                var stream = await StreamAsync(cluster[0], "channel");
                first = IsPublished(stream) ? stream!.Value.GetProperty("node").GetString()! : string.Empty;
                return first.Length > 0;
            }, TimeSpan.FromSeconds(60), "the source published\n" + cluster.Logs);

            // One node pulls it, and only one, for as long as it runs.
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(1, FfmpegReading(file));
                await Task.Delay(500);
            }

            var victim = cluster.Nodes.Single(n => n.Address == first);
            var survivors = cluster.Nodes.Where(n => n != victim).ToList();
            var (exit, errors, frames) = await Probe.DecodeAsync(survivors[0].Rtmp("live/channel"), 2, TimeSpan.FromSeconds(30));
            Assert.True(exit == 0 && frames >= 40, errors);

            var clock = Stopwatch.StartNew();
            var killedAt = DateTime.Now.TimeOfDay;
            victim.Kill();
            var second = string.Empty;
            await Eventually.TrueAsync(async () =>
            {
                var stream = await StreamAsync(survivors[0], "channel");
                second = IsPublished(stream) ? stream!.Value.GetProperty("node").GetString()! : string.Empty;
                return second.Length > 0 && second != first;
            }, TimeSpan.FromSeconds(60), "the source published again by a surviving node\n" + cluster.Logs);
            output.WriteLine($"source published again from {second} {clock.Elapsed.TotalSeconds:0.0} s after the kill");
            var mover = survivors.Single(n => n.Address == second);
            var line = mover.Output.Split('\n').First(l => l.Contains("channel: source: started ffmpeg", StringComparison.Ordinal));
            var restarted = TimeSpan.ParseExact(line[..12], @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture) - killedAt;
            output.WriteLine($"ffmpeg started again {restarted.TotalSeconds:0.0} s after the kill");
            Assert.InRange(restarted, TimeSpan.Zero, TimeSpan.FromSeconds(15));

            // The killed node's ffmpeg lost its listener and ended: one pull again.
            await Eventually.TrueAsync(() => FfmpegReading(file) == 1, TimeSpan.FromSeconds(15), "a single ffmpeg pulling the file");
            (exit, errors, frames) = await Probe.DecodeAsync(survivors[1].Http("live/channel.flv"), 2, TimeSpan.FromSeconds(30));
            Assert.True(exit == 0 && frames >= 40, errors);

            // The survivors stop with no ffmpeg left behind.
            foreach (var node in survivors)
            {
                node.Terminate();
            }

            foreach (var node in survivors)
            {
                await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
            }

            await Eventually.TrueAsync(() => FfmpegReading(file) == 0, TimeSpan.FromSeconds(10), "no ffmpeg left after the nodes stopped");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_on_demand_source_is_pulled_once_for_readers_on_every_node()
    {
        // An outside origin (a node of its own) with the stream.
        await using var upstream = await TestServer.StartAsync();
        await using var encoder = Ffmpeg.Publish(upstream.Rtmp("up/s1"));
        await upstream.WaitPublishingAsync("up", "s1", 25);
        var key = new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "up", "s1");
        int Pulls() => upstream.Control.Clients.Snapshot().Count(c => c.Info.Stream == key && c.Info.Kind == Streams.Clients.ClientKind.RtmpPlayer);

        await using var cluster = await ClusterNodes.StartAsync(extra: new Dictionary<string, string?>
        {
            ["Sources:0:Stream"] = "live/relay",
            ["Sources:0:Url"] = upstream.Rtmp("up/s1"),
            ["Sources:0:OnDemand"] = "true",
            ["Sources:0:CloseAfter"] = "00:00:02",
        });
        Assert.Equal(0, Pulls());

        // Players on all three nodes at once, over RTMP and HTTP-FLV: one pull serves them all.
        var players = cluster.Nodes.SelectMany(n => new[]
        {
            Probe.DecodeAsync(n.Rtmp("live/relay"), 5, TimeSpan.FromSeconds(60)),
            Probe.DecodeAsync(n.Http("live/relay.flv"), 5, TimeSpan.FromSeconds(60)),
        }).ToList();
        var most = 0;
        while (!players.All(p => p.IsCompleted))
        {
            most = Math.Max(most, Pulls());
            await Task.Delay(100);
        }

        foreach (var (exit, errors, frames) in await Task.WhenAll(players))
        {
            Assert.True(exit == 0 && frames >= 100, $"{frames} frames: {errors}");
        }

        Assert.Equal(1, most);

        // The last reader gone, the pull stops after its linger.
        await Eventually.TrueAsync(() => Pulls() == 0, TimeSpan.FromSeconds(20), "the pull stopped\n" + cluster.Logs);
        var sources = await GetAsync(cluster[1], "/api/v1/sources");
        var relay = sources.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("stream").GetString() == "live/relay");
        Assert.Equal("idle", relay.GetProperty("source").GetProperty("state").GetString());
    }

    /// <summary>ffmpeg processes on this machine whose command line names <paramref name="file"/>.</summary>
    private static int FfmpegReading(string file)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.StartsWith("ffmpeg", StringComparison.Ordinal) || cmdline.Contains("/ffmpeg\0", StringComparison.Ordinal))
                {
                    count += cmdline.Contains(file, StringComparison.Ordinal) ? 1 : 0;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return count;
    }
}
