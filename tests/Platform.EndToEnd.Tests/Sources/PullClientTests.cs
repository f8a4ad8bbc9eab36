using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Codecs;
using Platform.Sources.Pull;
using Platform.Streams.Hub;

namespace Platform.EndToEnd.Tests.Sources;

/// <summary>
/// The platform's own pull clients (no ffmpeg) against the real server: a stream published with ffmpeg is pulled
/// over RTMP and over HTTP-FLV with <see cref="MediaPuller"/>, from its metadata and sequence headers on.
/// </summary>
[Collection("e2e")]
public class PullClientTests
{
    private static readonly PullOptions Options = new() { StallTimeout = TimeSpan.FromSeconds(6) };

    /// <summary>What one pull received, checked as it comes; payloads are released as the hub would.</summary>
    private sealed class Pulled
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private long _lastVideo = -1;

        public PullStats Stats { get; } = new();

        public double? Width { get; private set; }

        public bool AvcHeader { get; private set; }

        public bool AacHeader { get; private set; }

        public int KeyFrames { get; private set; }

        public int VideoBackwards { get; private set; }

        /// <summary>Metadata, both sequence headers and two keyframes came.</summary>
        public Task Started => _started.Task;

        public void OnFrame(FrameKind kind, uint timestamp, PooledBuffer payload)
        {
            lock (_gate)
            {
                try
                {
                    Check(kind, timestamp, payload.ReadOnlySpan);
                }
                catch (Exception ex)
                {
                    // A wrong frame fails the wait at once, not after its timeout.
                    _started.TrySetException(ex);
                    throw;
                }
                finally
                {
                    payload.Release();
                }

                if (Width is not null && AvcHeader && AacHeader && KeyFrames >= 2)
                {
                    _started.TrySetResult();
                }
            }
        }

        private void Check(FrameKind kind, uint timestamp, ReadOnlySpan<byte> payload)
        {
            switch (kind)
            {
                case FrameKind.Data:
                    var values = RtmpCommand.ParseValues(new System.Buffers.ReadOnlySequence<byte>(payload.ToArray()));
                    Assert.Equal("onMetaData", values[0]);
                    Width = (((Amf0Object)values[1]!)["width"] as double?) ?? 0;
                    break;
                case FrameKind.Video:
                    Assert.True(VideoTag.TryParse(payload, out var video));
                    Assert.Equal(VideoCodec.Avc, video.Codec);
                    AvcHeader |= video.IsSequenceHeader;
                    KeyFrames += video.IsKeyFrame && !video.IsSequenceHeader && AvcHeader ? 1 : 0;
                    VideoBackwards += timestamp < _lastVideo ? 1 : 0;
                    _lastVideo = timestamp;
                    break;
                case FrameKind.Audio:
                    Assert.True(AudioTag.TryParse(payload, out var audio));
                    Assert.Equal(AudioCodec.Aac, audio.Codec);
                    AacHeader |= audio.IsSequenceHeader;
                    break;
            }
        }
    }

    [Fact]
    public async Task A_published_stream_is_pulled_over_rtmp_and_http_flv_from_its_headers_until_the_publisher_leaves()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Streams:PlayWaitTimeout"] = "00:00:02",
            ["Http:FlvPlayWaitTimeout"] = "00:00:00",
        });

        // Nothing published: the server says so over both protocols.
        foreach (var missing in new[] { server.Rtmp("live/nobody"), server.Http("live/nobody.flv") })
        {
            await Assert.ThrowsAsync<SourceNotFoundException>(() =>
                MediaPuller.RunAsync(new Uri(missing), static (_, _, payload) => payload.Release(), Options, new PullStats(), CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(30)));
        }

        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/pulled"), seconds: 8);
        await server.WaitPublishingAsync("live", "pulled", 10);
        var rtmp = new Pulled();
        var flv = new Pulled();
        var pulls = new[]
        {
            MediaPuller.RunAsync(new Uri(server.Rtmp("live/pulled")), rtmp.OnFrame, Options, rtmp.Stats, CancellationToken.None),
            MediaPuller.RunAsync(new Uri(server.Http("live/pulled.flv")), flv.OnFrame, Options, flv.Stats, CancellationToken.None),
        };

        await Task.WhenAll(rtmp.Started, flv.Started).WaitAsync(TimeSpan.FromSeconds(30));

        // The publisher leaves: RTMP ends with StreamNotFound after the server's wait, HTTP-FLV with the end of the answer.
        await Task.WhenAll(pulls).WaitAsync(TimeSpan.FromSeconds(40));
        Assert.True(publisher.HasExited);
        foreach (var pulled in new[] { rtmp, flv })
        {
            Assert.Equal(320.0, pulled.Width);
            Assert.True(pulled.KeyFrames >= 5, $"{pulled.KeyFrames} keyframes");
            Assert.Equal(0, pulled.VideoBackwards);
            Assert.True(pulled.Stats.Frames > 200, $"{pulled.Stats.Frames} frames");
            Assert.True(pulled.Stats.BytesIn > 50_000, $"{pulled.Stats.BytesIn} bytes");
            Assert.NotNull(pulled.Stats.FirstFrameAt);
        }
    }
}
