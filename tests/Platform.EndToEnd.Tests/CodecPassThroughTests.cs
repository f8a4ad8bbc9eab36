using System.Buffers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Load;
using Platform.Media.Rtmp;

namespace Platform.EndToEnd.Tests;

/// <summary>HEVC, legacy (codec id 12) and enhanced RTMP (FourCC hvc1), passes through byte for byte.</summary>
[Collection("e2e")]
public class CodecPassThroughTests
{
    /// <summary>hvcC of a libx265 1280x720 Main 3.1 encode (SEI array removed).</summary>
    private static readonly byte[] HvcC = Convert.FromHexString(
        "0101600000009000000000005df000fcfdf8f800000f03" +
        "a00001001840010c01ffff01600000030090000003000003005d959809" +
        "a10001002b42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003210" +
        "a2000100074401c172b46240");

    public static TheoryData<string, byte[], byte[], byte[]> Forms => new()
    {
        // legacy: frame type/codec id 0x1C, AVC-style packet type and composition time
        { "legacy", [0x1C, 0x00, 0, 0, 0, .. HvcC], [0x1C, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x26, 0x01, 0xAF], [0x2C, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x02, 0x01, 0xD0] },
        // enhanced: 0x80 | frame type << 4 | packet type, FourCC; CodedFramesX (3) carries no composition time
        { "enhanced", [0x90, (byte)'h', (byte)'v', (byte)'c', (byte)'1', .. HvcC], [0x93, (byte)'h', (byte)'v', (byte)'c', (byte)'1', 0, 0, 0, 3, 0x26, 0x01, 0xAF], [0xA3, (byte)'h', (byte)'v', (byte)'c', (byte)'1', 0, 0, 0, 3, 0x02, 0x01, 0xD0] },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task Hevc_is_passed_through_and_reported(string form, byte[] header, byte[] key, byte[] inter)
    {
        await using var server = await TestServer.StartAsync();
        var url = server.Rtmp($"live/hevc-{form}");
        using var publisher = await RtmpClient.ConnectAsync(url);
        await publisher.PublishAsync();
        await publisher.WriteMediaAsync(9, 0, header);
        await publisher.WriteMediaAsync(9, 0, key);
        await publisher.WriteMediaAsync(9, 40, inter);

        using var player = await RtmpClient.ConnectAsync(url);
        await player.PlayAsync();
        var received = new List<byte[]>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await player.ReceiveAsync((h, payload) =>
        {
            if (h.Type == RtmpMessageType.Video)
            {
                received.Add(payload.ToArray());
            }

            return received.Count < 3;
        }, timeout.Token);

        Assert.Equal(header, received[0]);
        Assert.Equal(key, received[1]);
        Assert.Equal(inter, received[2]);

        using var http = new HttpClient();
        var json = await http.GetFromJsonAsync<JsonElement>(server.Api("/api/v1/streams"));
        var video = Assert.Single(json.GetProperty("streams").EnumerateArray()).GetProperty("video");
        Assert.Equal("H265", video.GetProperty("codec").GetString());
        Assert.Equal(1280, video.GetProperty("width").GetInt32());
        Assert.Equal(720, video.GetProperty("height").GetInt32());
        Assert.Equal("Main", video.GetProperty("profile").GetString());
    }
}
