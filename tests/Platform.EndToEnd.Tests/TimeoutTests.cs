using System.Diagnostics;
using Platform.Load;

namespace Platform.EndToEnd.Tests;

/// <summary>Connections that stop doing their part are closed after the configured time, not before.</summary>
[Collection("e2e")]
public class TimeoutTests
{
    private static async Task<TimeSpan> TimeUntilClosedAsync(RtmpClient client)
    {
        var watch = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.ReceiveAsync((_, _) => true, limit.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // closed by the server: reset or end of stream
        }

        Assert.False(limit.IsCancellationRequested, "the server never closed the connection");
        return watch.Elapsed;
    }

    [Fact]
    public async Task Publisher_that_sends_no_media_is_closed_after_the_first_packet_timeout()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Rtmp:PublishFirstPacketTimeout"] = "00:00:02" });
        using var client = await RtmpClient.ConnectAsync(server.Rtmp("live/silent"));
        await client.PublishAsync();
        var took = await TimeUntilClosedAsync(client);
        Assert.InRange(took.TotalSeconds, 1.5, 10);
    }

    [Fact]
    public async Task Publisher_that_goes_quiet_is_closed_after_the_idle_timeout()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Rtmp:PublishIdleTimeout"] = "00:00:02" });
        var source = FlvFileSource.Load(await Inputs.SmallFlvAsync());
        using var client = await RtmpClient.ConnectAsync(server.Rtmp("live/quiet"));
        await client.PublishAsync();
        foreach (var tag in source.Tags)
        {
            await client.WriteMediaAsync(tag.Type, tag.Timestamp, tag.Payload);
        }

        var took = await TimeUntilClosedAsync(client);
        Assert.InRange(took.TotalSeconds, 1.5, 10);
    }

    [Fact]
    public async Task Player_waiting_for_a_publisher_gives_up_after_the_play_wait_timeout()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Streams:PlayWaitTimeout"] = "00:00:02" });
        using var client = await RtmpClient.ConnectAsync(server.Rtmp("live/nobody"));
        await client.PlayAsync();
        var took = await TimeUntilClosedAsync(client);
        Assert.InRange(took.TotalSeconds, 1.5, 10);
    }
}
