using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Rtmp;
using Platform.Streams;
using Platform.Streams.Hub;
using Platform.Workers.Forward;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Forward;

/// <summary>The push client and the pump against a fake RTMP destination, fed by a real hub.</summary>
public sealed class ForwardPumpTests
{
    private static readonly StreamKey Cam = new(StreamKey.DefaultVhost, "live", "cam");

    private static ForwardSettings Settings(string url, TimeSpan? sendTimeout = null) =>
        new("0", Cam, ForwardDestination.TryParse(url, out _), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400))
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SendTimeout = sendTimeout ?? TimeSpan.FromSeconds(5),
        };

    private static void Write(StreamHub hub, FrameKind kind, uint timestamp, byte[] payload) => hub.Write(kind, timestamp, PooledBuffer.CopyOf(payload));

    /// <summary>Headers, then a GOP: keyframe at <paramref name="at"/>, inter frames and audio every 40 ms.</summary>
    private static void Gop(StreamHub hub, uint at, int frames = 5, byte[]? key = null)
    {
        Write(hub, FrameKind.Video, at, key ?? Payloads.VideoKeyFrame);
        for (var i = 1; i <= frames; i++)
        {
            Write(hub, FrameKind.Audio, at + (uint)(i * 40) - 20, Payloads.AudioFrame);
            Write(hub, FrameKind.Video, at + (uint)(i * 40), Payloads.VideoInterFrame);
        }
    }

    private static (StreamHub Hub, HubRegistry Hubs) Publishing()
    {
        var hubs = new HubRegistry(_ => new HubOptions { Jitter = JitterMode.Off });
        var hub = hubs.Acquire(Cam);
        Assert.True(hub.BeginPublish("publisher"));
        Write(hub, FrameKind.Data, 0, Payloads.Metadata(("width", 320.0), ("height", 240.0)));
        Write(hub, FrameKind.Video, 0, Payloads.VideoSequenceHeader);
        Write(hub, FrameKind.Audio, 0, Payloads.AudioSequenceHeader);
        return (hub, hubs);
    }

    private static async Task UntilAsync(Func<bool> condition, string what, double seconds = 15)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"Not within {seconds} s: {what}");
            await Task.Delay(20);
        }
    }

    private static void AssertStartsWithHeaders(FakeRtmpDestination.Message[] received)
    {
        Assert.True(received.Length >= 4, $"{received.Length} messages");
        Assert.Equal(RtmpMessageType.DataAmf0, received[0].Type);
        var values = RtmpCommand.ParseValues(new ReadOnlySequence<byte>(received[0].Payload));
        Assert.Equal("@setDataFrame", values[0]);
        Assert.Equal("onMetaData", values[1]);
        Assert.Equal(320.0, ((Amf0Object)values[2]!)["width"]);
        Assert.Equal(RtmpMessageType.Video, received[1].Type);
        Assert.Equal(Payloads.VideoSequenceHeader, received[1].Payload);
        Assert.Equal(RtmpMessageType.Audio, received[2].Type);
        Assert.Equal(Payloads.AudioSequenceHeader, received[2].Payload);
        Assert.Equal((RtmpMessageType.Video, 0u), (received[3].Type, received[3].Timestamp));
        Assert.Equal(0x17, received[3].Payload[0]); // a keyframe first
        Assert.All(received.Take(3), m => Assert.Equal(0u, m.Timestamp));
    }

    [Fact]
    public async Task A_destination_gets_metadata_and_headers_then_the_stream_from_a_keyframe_at_zero()
    {
        await using var destination = new FakeRtmpDestination();
        var (hub, _) = Publishing();
        Gop(hub, 60_000);
        var pump = new ForwardPump(hub, Settings(destination.Url("fwd/cam?token=s3cret")), ForwardDestination.TryParse(destination.Url("fwd/cam?token=s3cret"), out _)!, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);

        await UntilAsync(() => pump.Status().State == ForwardStates.Forwarding, "forwarding");
        await UntilAsync(() => destination.Connections.TryPeek(out var c) && c.Media.Count >= 14, "the GOP cache at the destination");
        Gop(hub, 60_240, key: [0x17, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x01]);
        var connection = Assert.Single(destination.Connections);
        await UntilAsync(() => connection.Media.Count >= 25, "the next GOP");

        Assert.Equal("fwd", connection.App);
        Assert.Equal($"rtmp://127.0.0.1:{destination.Port}/fwd", connection.TcUrl);
        Assert.Equal("cam?token=s3cret", connection.Published);
        var received = connection.Snapshot();
        AssertStartsWithHeaders(received);
        Assert.Equal([20u, 40u, 60u, 80u], received.Skip(4).Take(4).Select(m => m.Timestamp));
        var video = received.Where(m => m.Type == RtmpMessageType.Video).Select(m => m.Timestamp).ToList();
        Assert.Equal(video.Order(), video);
        Assert.Equal(240u, received.First(m => m.Payload.Length == 11).Timestamp);
        var status = pump.Status();
        Assert.Equal($"forwarding to rtmp://127.0.0.1:{destination.Port}/fwd/cam?token=***", status.Reason);
        Assert.Equal(0, status.Reconnects);
        Assert.Equal(0, status.Dropped);
        Assert.True(status.BytesSent > 200, $"{status.BytesSent} bytes");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, hub.ReaderCount);
    }

    [Fact]
    public async Task After_a_lost_connection_it_reconnects_and_starts_again_with_the_headers()
    {
        await using var destination = new FakeRtmpDestination { CloseAfter = 10 };
        var (hub, _) = Publishing();
        Gop(hub, 10_000);
        var url = destination.Url("fwd/cam");
        var pump = new ForwardPump(hub, Settings(url), ForwardDestination.TryParse(url, out _)!, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);

        await UntilAsync(() => destination.Connections.Count >= 2 && destination.Connections.Last().Media.Count >= 4, "a second connection with the headers");
        Assert.True(pump.Status().Reconnects >= 1);
        Assert.Contains(pump.Events(10), e => e.Contains(" lost: ", StringComparison.Ordinal) && e.EndsWith("; reconnecting in 0.1 s", StringComparison.Ordinal));
        foreach (var connection in destination.Connections.Take(2))
        {
            AssertStartsWithHeaders(connection.Snapshot());
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_refused_publish_is_retried_with_a_growing_backoff_and_says_why()
    {
        await using var destination = new FakeRtmpDestination { RefuseWith = "NetStream.Publish.BadName" };
        var (hub, _) = Publishing();
        var url = destination.Url("fwd/cam");
        var pump = new ForwardPump(hub, Settings(url), ForwardDestination.TryParse(url, out _)!, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);

        await UntilAsync(() => pump.Status().Reconnects >= 3, "three attempts");
        var status = pump.Status();
        Assert.Equal(ForwardStates.Reconnecting, status.State);
        Assert.Contains("refused: NetStream.Publish.BadName", status.Reason, StringComparison.Ordinal);
        var events = pump.Events(10);
        Assert.Contains(events, e => e.EndsWith("reconnecting in 0.1 s", StringComparison.Ordinal));
        Assert.Contains(events, e => e.EndsWith("reconnecting in 0.2 s", StringComparison.Ordinal));
        Assert.Contains(events, e => e.EndsWith("reconnecting in 0.4 s", StringComparison.Ordinal));
        Assert.Equal(0, hub.ReaderCount); // no reader while not publishing to the destination

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_destination_that_refuses_connections_is_reported_so()
    {
        // A port nothing listens on.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var url = $"rtmp://127.0.0.1:{port}/fwd/cam";
        var (hub, _) = Publishing();
        var pump = new ForwardPump(hub, Settings(url), ForwardDestination.TryParse(url, out _)!, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);

        await UntilAsync(() => pump.Status().Reconnects >= 1, "a failed attempt");
        Assert.Contains(pump.Events(10), e => e.EndsWith("could not publish: connection refused; reconnecting in 0.1 s", StringComparison.Ordinal));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_stalled_destination_never_holds_the_publisher_and_is_given_up_after_the_send_timeout()
    {
        await using var destination = new FakeRtmpDestination { Stall = true };
        var (hub, _) = Publishing();
        var url = destination.Url("fwd/cam");
        var pump = new ForwardPump(hub, Settings(url, sendTimeout: TimeSpan.FromSeconds(1)), ForwardDestination.TryParse(url, out _)!, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = pump.RunAsync(stop.Token);
        await UntilAsync(() => pump.Status().State == ForwardStates.Forwarding, "forwarding");

        // 200 MB of 256 KB keyframes: far more than the socket buffers take. The publisher never waits.
        var big = new byte[256 * 1024];
        big[0] = 0x17;
        big[1] = 0x01;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 800; i++)
        {
            Write(hub, FrameKind.Video, (uint)(i * 40), big);
            if (i % 100 == 0)
            {
                await Task.Delay(10);
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the publisher took {clock.Elapsed.TotalSeconds:0.0} s");
        await UntilAsync(() => pump.Status().Reconnects >= 1, "the stalled connection given up");
        Assert.Contains(pump.Events(10), e => e.Contains("lost: the destination took no data for 1 s", StringComparison.Ordinal));
        Assert.True(pump.BytesSent < 200L * 1024 * 1024, $"{pump.BytesSent} bytes");
        Assert.True(pump.Status().Dropped > 0, "frames dropped for the stalled destination");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
