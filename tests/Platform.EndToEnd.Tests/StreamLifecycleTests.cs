using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Platform.Load;
using Platform.Streams;

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

        // Two warm-up rounds grow the buffer pools (segment files, muxers, sockets) to their working size.
        await ChurnAsync(server, source, "warm1-", 150);
        await WaitEmptyAsync(server);
        await ChurnAsync(server, source, "warm2-", 150);
        await WaitEmptyAsync(server);
        var baseline = Memory();

        await ChurnAsync(server, source, "a", 150);
        await WaitEmptyAsync(server);
        await ChurnAsync(server, source, "b", 150);
        await WaitEmptyAsync(server);
        var after = Memory();

        // 300 more streams seen; what stays must not grow with them (a leaked stream keeps at least its
        // GOP, tens of kilobytes, so 300 of them would be several megabytes).
        Assert.True(after - baseline < 3_000_000, $"managed memory grew from {baseline:N0} to {after:N0} bytes");
    }

    private static async Task ChurnAsync(TestServer server, FlvFileSource source, string prefix, int count)
    {
        using var gate = new SemaphoreSlim(8);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var client = await RtmpClient.ConnectAsync(server.Rtmp($"churn/{prefix}{i}"));
                await client.PublishAsync();
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
