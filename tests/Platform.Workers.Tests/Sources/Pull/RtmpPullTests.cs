using System.Buffers;
using System.Diagnostics;
using Platform.Media;
using Platform.Media.Amf0;
using Platform.Media.Flv;
using Platform.Media.Rtmp;
using Platform.Sources.Pull;
using Platform.Streams.Hub;
using Platform.Workers.Rtmp;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>The RTMP play client against a fake RTMP server on loopback.</summary>
public sealed class RtmpPullTests
{
    private static Task PlayStartAsync(FakeRtmpSource.Player player) => player.StatusAsync("status", "NetStream.Play.Start");

    /// <summary>Play.Start, the video sequence header and a keyframe.</summary>
    private static async Task StartAsync(FakeRtmpSource.Player player)
    {
        await PlayStartAsync(player);
        await player.SendAsync(RtmpMessageType.Video, 0, Payloads.VideoSequenceHeader);
        await player.SendAsync(RtmpMessageType.Video, 0, Payloads.VideoKeyFrame);
    }

    private static byte[] Aggregate(params (FlvTagType Type, uint Timestamp, byte[] Payload)[] messages)
    {
        var body = new ArrayBufferWriter<byte>();
        foreach (var (type, timestamp, payload) in messages)
        {
            FlvWriter.WriteTag(body, type, timestamp, payload);
        }

        return body.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("rtmp://h/live/cam", true)]
    [InlineData("rtmp://h:1936/a/b/cam?token=x", true)]
    [InlineData("http://h:8080/live/cam.flv", true)]
    [InlineData("https://h/live/cam.FLV?token=x", true)]
    [InlineData("http://h/live/cam.m3u8", false)]
    [InlineData("http://h/live/cam", false)]
    [InlineData("rtmps://h/live/cam", false)]
    [InlineData("srt://h:9000?streamid=cam", false)]
    public void Handles_rtmp_and_http_flv_only(string url, bool handled) => Assert.Equal(handled, MediaPuller.Handles(new Uri(url)));

    [Fact]
    public async Task Frames_arrive_in_order_with_their_kinds_timestamps_and_payloads_until_the_publisher_leaves()
    {
        var key = new byte[1000];
        key[0] = 0x17;
        key[1] = 0x01;
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await p.StatusAsync("status", "NetStream.Play.Reset");
            await PlayStartAsync(p);
            await p.DataAsync("|RtmpSampleAccess", true, true);
            await p.DataAsync("@setDataFrame", "onMetaData", new Amf0Object(isEcmaArray: true) { { "width", 320.0 } });
            await p.SendAsync(RtmpMessageType.Video, 0, Payloads.VideoSequenceHeader);
            await p.SendAsync(RtmpMessageType.Audio, 0, Payloads.AudioSequenceHeader);
            await p.PingAsync(1234);
            await p.SendAsync(RtmpMessageType.Video, 40, key);
            await p.SendAsync(RtmpMessageType.Audio, 60, Payloads.AudioFrame);
            await p.SendAsync(RtmpMessageType.Video, 70, []);
            await p.SendAsync(RtmpMessageType.Aggregate, 80, Aggregate((FlvTagType.Video, 5000, Payloads.VideoInterFrame), (FlvTagType.Audio, 5020, Payloads.AudioFrame)));
            await p.SendAsync(RtmpMessageType.Video, 0x0100_0000, Payloads.VideoInterFrame);
            await p.StatusAsync("status", "NetStream.Play.UnpublishNotify");
            await Task.Delay(Timeout.Infinite, token); // the connection stays open: the status alone ends the pull
        })
        { Window = 2048 };
        var received = new ReceivedFrames();

        await PullTesting.RunAsync(server.Url("live/cam?token=x"), received);

        var frames = received.Snapshot();
        Assert.Equal(
            [(FrameKind.Data, 0u), (FrameKind.Video, 0u), (FrameKind.Audio, 0u), (FrameKind.Video, 40u), (FrameKind.Audio, 60u),
             (FrameKind.Video, 80u), (FrameKind.Audio, 100u), (FrameKind.Video, 0x0100_0000u)],
            frames.Select(f => (f.Kind, f.Timestamp)));
        var metadata = ReceivedFrames.Values(frames[0]);
        Assert.Equal("onMetaData", metadata[0]);
        Assert.Equal(320.0, ((Amf0Object)metadata[1]!)["width"]);
        Assert.Equal(Payloads.VideoSequenceHeader, frames[1].Payload);
        Assert.Equal(Payloads.AudioSequenceHeader, frames[2].Payload);
        Assert.Equal(key, frames[3].Payload);
        Assert.Equal(Payloads.AudioFrame, frames[4].Payload);
        Assert.Equal(Payloads.VideoInterFrame, frames[5].Payload);
        Assert.Equal(Payloads.AudioFrame, frames[6].Payload);
        Assert.Equal(0, received.Held);
        Assert.Equal(8, received.Stats.Frames);
        Assert.NotNull(received.Stats.FirstFrameAt);
        Assert.True(received.Stats.BytesIn > RtmpHandshake.S0S1S2Size + 1000, $"{received.Stats.BytesIn} bytes");

        var player = Assert.Single(server.Players);
        Assert.Equal("live", player.Connect["app"]);
        Assert.Equal($"rtmp://127.0.0.1:{server.Port}/live", player.Connect["tcUrl"]);
        Assert.Equal("LNX 9,0,124,2", player.Connect["flashVer"]);
        Assert.Equal("cam?token=x", player.PlayName);
        await Poll.UntilAsync(() => player.BufferLength == 3000 && player.Pongs == 1 && player.Acknowledgements >= 1, "buffer length, pong and acknowledgement at the server");
    }

    [Fact]
    public async Task An_app_with_slashes_is_connected_and_a_server_that_closes_after_media_ends_the_pull_normally()
    {
        await using var server = new FakeRtmpSource((p, _) => StartAsync(p));
        var received = new ReceivedFrames();

        await PullTesting.RunAsync(server.Url("a/b/s"), received);

        Assert.Equal(2, received.Frames.Count);
        var player = Assert.Single(server.Players);
        Assert.Equal("a/b", player.Connect["app"]);
        Assert.Equal($"rtmp://127.0.0.1:{server.Port}/a/b", player.Connect["tcUrl"]);
        Assert.Equal("s", player.PlayName);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("status")]
    public async Task Stream_not_found_is_source_not_found(string level)
    {
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await PlayStartAsync(p);
            await p.StatusAsync(level, "NetStream.Play.StreamNotFound");
            await Task.Delay(Timeout.Infinite, token);
        });
        var received = new ReceivedFrames();

        var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/nobody"), received));

        Assert.Contains("NetStream.Play.StreamNotFound", error.Message, StringComparison.Ordinal);
        Assert.Empty(received.Frames);
    }

    [Fact]
    public async Task A_rejected_connect_is_source_not_found_and_another_error_a_refusal()
    {
        await using (var rejecting = new FakeRtmpSource((_, _) => Task.CompletedTask) { RefuseConnect = "NetConnection.Connect.Rejected" })
        {
            var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(rejecting.Url("nope/cam?token=secret"), new ReceivedFrames()));
            Assert.Contains("NetConnection.Connect.Rejected", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        }

        await using var failing = new FakeRtmpSource((_, _) => Task.CompletedTask) { RefuseConnect = "NetConnection.Connect.Failed" };
        var refused = await Assert.ThrowsAsync<RtmpRefusedException>(() => PullTesting.RunAsync(failing.Url("live/cam"), new ReceivedFrames()));
        Assert.Equal("NetConnection.Connect.Failed", refused.Code);
    }

    [Fact]
    public async Task A_server_that_makes_players_wait_is_source_not_found_after_the_stall_timeout()
    {
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await PlayStartAsync(p);
            await p.DataAsync("onMetaData", new Amf0Object(isEcmaArray: true) { { "width", 320.0 } });
            for (uint i = 0; !token.IsCancellationRequested; i++)
            {
                await p.PingAsync(i); // control traffic is no media
                await Task.Delay(100, token);
            }
        });
        var received = new ReceivedFrames();
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/later"), received, PullTesting.Impatient));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 6);
        Assert.Equal(FrameKind.Data, Assert.Single(received.Frames).Kind);
    }

    [Fact]
    public async Task Media_then_silence_is_a_stalled_source()
    {
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await StartAsync(p);
            await Task.Delay(Timeout.Infinite, token);
        });
        var received = new ReceivedFrames();

        await Assert.ThrowsAsync<SourceStalledException>(() => PullTesting.RunAsync(server.Url("live/frozen"), received, PullTesting.Impatient));

        Assert.Equal(2, received.Frames.Count);
    }

    [Fact]
    public async Task A_server_that_closes_before_any_media_is_source_not_found()
    {
        await using var server = new FakeRtmpSource((p, _) => PlayStartAsync(p));

        await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/gone"), new ReceivedFrames()));
    }

    [Fact]
    public async Task A_message_longer_than_the_limit_is_a_protocol_error()
    {
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await PlayStartAsync(p);
            await p.SendAsync(RtmpMessageType.Video, 0, Payloads.VideoKeyFrame);
            await p.SendAsync(RtmpMessageType.Video, 40, new byte[5000]);
            await Task.Delay(Timeout.Infinite, token);
        });
        var received = new ReceivedFrames();

        var error = await Assert.ThrowsAsync<MediaFormatException>(() => PullTesting.RunAsync(server.Url("live/big"), received, PullTesting.Quick with { MaxMessageLength = 4096 }));

        Assert.Contains("5000", error.Message, StringComparison.Ordinal);
        Assert.Single(received.Frames);
    }

    [Fact]
    public async Task Cancellation_ends_the_pull()
    {
        await using var server = new FakeRtmpSource(async (p, token) =>
        {
            await PlayStartAsync(p);
            for (uint t = 0; !token.IsCancellationRequested; t += 40)
            {
                await p.SendAsync(RtmpMessageType.Video, t, Payloads.VideoInterFrame);
                await Task.Delay(40, token);
            }
        });

        await PullTesting.AssertCancellationEndsAsync(server.Url("live/cam"));
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_a_timeout()
    {
        await using var server = new FakeRtmpSource((_, _) => Task.CompletedTask) { Mute = true };

        await Assert.ThrowsAsync<TimeoutException>(() => PullTesting.RunAsync(server.Url("live/cam"), new ReceivedFrames(), PullTesting.Quick with { ConnectTimeout = TimeSpan.FromMilliseconds(300) }));
    }
}
