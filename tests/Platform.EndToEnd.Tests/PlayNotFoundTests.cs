using System.Net;
using Platform.Load;

namespace Platform.EndToEnd.Tests;

/// <summary>A player of a stream that nobody publishes gets an answer, not silence.</summary>
[Collection("e2e")]
public class PlayNotFoundTests
{
    [Fact]
    public async Task An_rtmp_player_of_a_missing_stream_is_told_stream_not_found_when_the_wait_ends()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Streams:PlayWaitTimeout"] = "00:00:02" });
        using var player = await RtmpClient.ConnectAsync(server.Rtmp("live/nobody"));
        await player.PlayAsync();
        Assert.Equal(RtmpClient.PlayStart, player.LastStatusCode);

        var started = DateTime.UtcNow;
        var closed = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await player.ReceiveAsync((_, _) => true, timeout.Token);
        }
        catch (EndOfStreamException)
        {
            closed = true;
        }

        Assert.True(closed, "the server closed the connection");
        Assert.Equal("NetStream.Play.StreamNotFound", player.LastStatusCode);
        Assert.Contains("not published", player.LastStatusDescription, StringComparison.Ordinal);
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 1.5, 10);
    }

    [Fact]
    public async Task Http_flv_answers_404_at_once_when_the_operator_asks_for_it_and_waits_otherwise()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Http:FlvPlayWaitTimeout"] = "00:00:00" });
        using var http = new HttpClient();
        var started = DateTime.UtcNow;
        using (var missing = await http.GetAsync(server.Http("live/nobody.flv"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("stream is not published", await missing.Content.ReadAsStringAsync());
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));

        // A published stream plays as usual.
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/somebody"));
        await server.WaitPublishingAsync("live", "somebody", 25);
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Http("live/somebody.flv"), 2);
        Assert.True(exit == 0 && errors.Length == 0 && frames >= 40, errors);
    }

    [Fact]
    public async Task The_wait_is_set_per_app_and_for_http_flv_apart()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Streams:PlayWaitTimeout"] = "00:00:30",
            ["Apps:0:App"] = "quick",
            ["Apps:0:PlayWaitTimeout"] = "00:00:01",
            ["Apps:1:App"] = "flvnow",
            ["Apps:1:FlvPlayWaitTimeout"] = "00:00:00",
            ["Apps:2:App"] = "*",
        });

        // The app's wait, not the node's 30 s: told StreamNotFound after about a second.
        var started = DateTime.UtcNow;
        Assert.Equal("NetStream.Play.StreamNotFound", await RtmpEndAsync(server.Rtmp("quick/nobody"), TimeSpan.FromSeconds(15)));
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0.5, 8);

        // HTTP-FLV of that app's sibling answers 404 at once, while its RTMP players still wait.
        using var http = new HttpClient();
        started = DateTime.UtcNow;
        using (var missing = await http.GetAsync(server.Http("flvnow/nobody.flv"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Null(await RtmpEndAsync(server.Rtmp("flvnow/nobody"), TimeSpan.FromSeconds(3)));
        Assert.Null(await RtmpEndAsync(server.Rtmp("other/nobody"), TimeSpan.FromSeconds(3)));
    }

    /// <summary>The last status before the server closed the play, or null when it was still open after <paramref name="within"/>.</summary>
    private static async Task<string?> RtmpEndAsync(string url, TimeSpan within)
    {
        using var player = await RtmpClient.ConnectAsync(url);
        await player.PlayAsync();
        try
        {
            using var timeout = new CancellationTokenSource(within);
            await player.ReceiveAsync((_, _) => true, timeout.Token);
        }
        catch (EndOfStreamException)
        {
            return player.LastStatusCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        return null;
    }

    [Fact]
    public async Task A_player_that_leaves_on_its_own_is_not_counted_as_kicked()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/leaving"));
        await server.WaitPublishingAsync("live", "leaving", 25);
        using var http = new HttpClient();
        async Task<double> KicksAsync() =>
            Telemetry.PrometheusText.Parse(await http.GetStringAsync(server.Management("/metrics"))) is var m && m.Has("platform_kicks_total", ("reason", "other"))
                ? m.Value("platform_kicks_total", ("reason", "other"))
                : 0;

        var before = await KicksAsync();
        var (exit, errors, _) = await Probe.DecodeAsync(server.Rtmp("live/leaving"), 2);
        Assert.True(exit == 0, errors);
        var key = new Streams.StreamKey(Streams.StreamKey.DefaultVhost, "live", "leaving");
        await Eventually.TrueAsync(() => server.Players(key) == 0, TimeSpan.FromSeconds(10), "the player gone");
        Assert.Equal(before, await KicksAsync());
    }
}
