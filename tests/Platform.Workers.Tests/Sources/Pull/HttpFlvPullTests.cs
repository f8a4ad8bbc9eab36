using System.Net;
using Platform.Media;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Flv;
using Platform.Sources.Pull;
using Platform.Streams.Hub;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Sources.Pull;

/// <summary>The HTTP-FLV client against a tiny HTTP server on loopback.</summary>
public sealed class HttpFlvPullTests
{
    private static byte[] Script(params object?[] values)
    {
        using var writer = new PooledBufferWriter();
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(writer, value);
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Header, metadata and the sequence headers, then a keyframe.</summary>
    private static async Task StartAsync(FakeHttpFlvSource.Exchange exchange)
    {
        await exchange.FlvHeadAsync();
        await exchange.FileHeaderAsync();
        await exchange.TagAsync(FlvTagType.Script, 0, Payloads.Metadata(("width", 320.0)));
        await exchange.TagAsync(FlvTagType.Video, 0, Payloads.VideoSequenceHeader);
        await exchange.TagAsync(FlvTagType.Audio, 0, Payloads.AudioSequenceHeader);
        await exchange.TagAsync(FlvTagType.Video, 1000, Payloads.VideoKeyFrame);
    }

    [Fact]
    public async Task Tags_arrive_in_order_and_the_end_of_the_body_ends_the_pull_normally()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, _) =>
        {
            await StartAsync(exchange);
            await exchange.TagAsync(FlvTagType.Script, 1010, Script("onTextData", new Amf0Object { { "text", "hi" } }));
            await exchange.TagAsync(FlvTagType.Script, 1010, Script("@setDataFrame", "onMetaData", new Amf0Object(isEcmaArray: true) { { "width", 640.0 } }));
            await exchange.TagAsync(FlvTagType.Audio, 1020, Payloads.AudioFrame);
            await exchange.TagAsync(FlvTagType.Video, 1030, []);
            await exchange.TagAsync(FlvTagType.Video, 0x0100_0000, Payloads.VideoInterFrame);
        });
        var received = new ReceivedFrames();

        await PullTesting.RunAsync(server.Url("live/cam.flv?token=x"), received);

        var frames = received.Snapshot();
        Assert.Equal(
            [(FrameKind.Data, 0u), (FrameKind.Video, 0u), (FrameKind.Audio, 0u), (FrameKind.Video, 1000u), (FrameKind.Data, 1010u), (FrameKind.Audio, 1020u), (FrameKind.Video, 0x0100_0000u)],
            frames.Select(f => (f.Kind, f.Timestamp)));
        Assert.Equal(Payloads.Metadata(("width", 320.0)), frames[0].Payload);
        Assert.Equal(Payloads.VideoSequenceHeader, frames[1].Payload);
        Assert.Equal(Payloads.AudioSequenceHeader, frames[2].Payload);
        Assert.Equal(Payloads.VideoKeyFrame, frames[3].Payload);
        Assert.Equal(Payloads.Metadata(("width", 640.0)), frames[4].Payload);
        Assert.Equal(Payloads.VideoInterFrame, frames[6].Payload);
        Assert.Equal(0, received.Held);
        Assert.Equal(7, received.Stats.Frames);
        Assert.True(received.Stats.BytesIn > FlvWriter.FileHeaderLength + 100, $"{received.Stats.BytesIn} bytes");
        Assert.Equal("GET /live/cam.flv?token=x HTTP/1.1", Assert.Single(server.Requests));
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(410, "Gone")]
    public async Task Not_found_and_gone_are_source_not_found(int status, string reason)
    {
        await using var server = new FakeHttpFlvSource((exchange, _) => exchange.HeadAsync(status, reason, "Content-Length: 0"));

        var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/nobody.flv"), new ReceivedFrames()));

        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_status_is_an_http_error_with_the_status()
    {
        await using var server = new FakeHttpFlvSource((exchange, _) => exchange.HeadAsync(403, "Forbidden", "Content-Length: 0"));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => PullTesting.RunAsync(server.Url("live/private.flv"), new ReceivedFrames()));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task A_redirect_is_followed()
    {
        await using var server = new FakeHttpFlvSource((exchange, _) => exchange.Target == "/live/cam.flv"
            ? exchange.HeadAsync(302, "Found", "Location: /edge/cam.flv", "Content-Length: 0")
            : StartAsync(exchange));
        var received = new ReceivedFrames();

        await PullTesting.RunAsync(server.Url("live/cam.flv"), received);

        Assert.Equal(4, received.Frames.Count);
        Assert.Equal(["GET /live/cam.flv HTTP/1.1", "GET /edge/cam.flv HTTP/1.1"], server.Requests);
    }

    [Fact]
    public async Task Headers_without_media_within_the_stall_timeout_are_source_not_found()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, token) =>
        {
            await exchange.FlvHeadAsync();
            await exchange.FileHeaderAsync();
            await Task.Delay(Timeout.Infinite, token);
        });

        await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/later.flv"), new ReceivedFrames(), PullTesting.Impatient));
    }

    [Fact]
    public async Task A_body_that_ends_before_any_media_is_source_not_found()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, _) =>
        {
            await exchange.FlvHeadAsync();
            await exchange.FileHeaderAsync();
        });

        await Assert.ThrowsAsync<SourceNotFoundException>(() => PullTesting.RunAsync(server.Url("live/empty.flv"), new ReceivedFrames()));
    }

    [Fact]
    public async Task Media_then_silence_is_a_stalled_source()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, token) =>
        {
            await StartAsync(exchange);
            await Task.Delay(Timeout.Infinite, token);
        });
        var received = new ReceivedFrames();

        await Assert.ThrowsAsync<SourceStalledException>(() => PullTesting.RunAsync(server.Url("live/frozen.flv"), received, PullTesting.Impatient));

        Assert.Equal(4, received.Frames.Count);
    }

    [Fact]
    public async Task A_tag_longer_than_the_limit_and_a_body_that_is_not_flv_are_protocol_errors()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, token) =>
        {
            if (exchange.Target.StartsWith("/live/html", StringComparison.Ordinal))
            {
                await exchange.FlvHeadAsync();
                await exchange.WriteAsync("<html>"u8.ToArray());
                return;
            }

            await StartAsync(exchange);
            await exchange.TagAsync(FlvTagType.Video, 1040, new byte[5000]);
            await Task.Delay(Timeout.Infinite, token);
        });

        var tooLong = await Assert.ThrowsAsync<MediaFormatException>(() => PullTesting.RunAsync(server.Url("live/big.flv"), new ReceivedFrames(), PullTesting.Quick with { MaxMessageLength = 4096 }));
        Assert.Contains("5000", tooLong.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MediaFormatException>(() => PullTesting.RunAsync(server.Url("live/html.flv"), new ReceivedFrames()));
    }

    [Fact]
    public async Task Cancellation_ends_the_pull()
    {
        await using var server = new FakeHttpFlvSource(async (exchange, token) =>
        {
            await StartAsync(exchange);
            for (uint t = 1040; !token.IsCancellationRequested; t += 40)
            {
                await exchange.TagAsync(FlvTagType.Video, t, Payloads.VideoInterFrame);
                await Task.Delay(40, token);
            }
        });

        await PullTesting.AssertCancellationEndsAsync(server.Url("live/cam.flv"));
    }
}
