using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Platform.Load;
using Platform.Streams;
using Platform.Streams.Hub;

namespace Platform.EndToEnd.Tests;

/// <summary>Streams come and go by the hundred; the node keeps nothing of them.</summary>
[Collection("e2e")]
public class StreamLifecycleTests
{
    [Fact]
    public async Task Hundreds_of_streams_published_and_stopped_leave_nothing_behind()
    {
        var flv = await Inputs.SmallFlvAsync();
        var source = FlvFileSource.Load(flv);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Streams:IdleTimeout"] = "00:00:00.500" });

        // Warm-up rounds grow the buffer pools (segment files, muxers, sockets, per-thread array caches) to
        // their working size; measured alone, the node's managed heap still grows by a shrinking amount
        // over the first four rounds (about 2 MB in rounds three and four, 0.1 MB in the two after).
        for (var round = 0; round < 4; round++)
        {
            await ChurnAsync(server, source, $"warm{round}-", 150, hubs: null);
            await WaitEmptyAsync(server);
        }

        var baseline = Memory();

        var hubs = new List<WeakReference<StreamHub>>();
        await ChurnAsync(server, source, "a", 150, hubs);
        await WaitEmptyAsync(server);
        await ChurnAsync(server, source, "b", 150, hubs);
        await WaitEmptyAsync(server);
        var after = Memory();

        // Every stream's hub (its caches, its GOP, its readers) is garbage once the stream is gone.
        Assert.Equal(300, hubs.Count);
        var alive = hubs.Count(h => h.TryGetTarget(out _));
        Assert.True(alive == 0, $"{alive} of 300 stream hubs are still reachable after their streams ended");

        // 300 more streams seen; what stays must not grow with them (a leaked stream keeps at least its
        // GOP, tens of kilobytes, so 300 of them would be several megabytes).
        Assert.True(after - baseline < 3_000_000, $"managed memory grew from {baseline:N0} to {after:N0} bytes");
    }

    private static async Task ChurnAsync(TestServer server, FlvFileSource source, string prefix, int count, List<WeakReference<StreamHub>>? hubs)
    {
        using var gate = new SemaphoreSlim(8);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var client = await RtmpClient.ConnectAsync(server.Rtmp($"churn/{prefix}{i}"));
                await client.PublishAsync();
                if (hubs is not null)
                {
                    Track(server, $"__defaultVhost__/churn/{prefix}{i}", hubs);
                }

                foreach (var tag in source.Tags)
                {
                    await client.WriteMediaAsync(tag.Type, tag.Timestamp, tag.Payload);
                }

                await client.UnpublishAsync();
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
    }

    // Not async: the hub must not be hoisted into a state machine that the test still references.
    private static void Track(TestServer server, string stream, List<WeakReference<StreamHub>> hubs)
    {
        var hub = server.Hubs.Find(StreamKey.Parse(stream));
        Assert.NotNull(hub);
        lock (hubs)
        {
            hubs.Add(new WeakReference<StreamHub>(hub));
        }
    }

    private static async Task WaitEmptyAsync(TestServer server)
    {
        using var http = new HttpClient();
        var last = string.Empty;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams?count=1000"));
                var state = await server.Control.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
                var listed = json.GetProperty("streams").GetArrayLength();
                var entities = state.Shards.Sum(s => s.EntityIds.Count);
                last = $"api streams {listed}, hubs {server.Hubs.Count}, clients {server.Control.Clients.Count}, entities {entities}";
                return listed == 0 && server.Hubs.Count == 0 && server.Control.Clients.Count == 0 && entities == 0;
            }, TimeSpan.FromSeconds(60), "every stream passivated and freed");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}: {last}", ex);
        }
    }

    private static long Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
