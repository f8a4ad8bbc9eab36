using System.Buffers;
using Platform.Load;
using Platform.Media.Flv;
using Platform.Media.Rtmp;

namespace Platform.EndToEnd.Tests;

/// <summary>An aggregate message (type 22) is split into its sub-messages, timestamps rebased.</summary>
[Collection("e2e")]
public class AggregateTests
{
    [Fact]
    public async Task Aggregate_messages_reach_players_as_separate_frames()
    {
        await using var server = await TestServer.StartAsync();
        byte[] header = [0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE0, 0x00];
        byte[] key = [0x17, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88];
        byte[] inter = [0x27, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x41, 0x9A];

        // Sub-messages stamped 5000 and 5040 inside an aggregate stamped 100: they become 100 and 140.
        var body = new byte[FlvWriter.GetTagLength(key.Length) + FlvWriter.GetTagLength(inter.Length)];
        FlvWriter.WriteTag(body, FlvTagType.Video, 5000, key);
        FlvWriter.WriteTag(body.AsSpan(FlvWriter.GetTagLength(key.Length)), FlvTagType.Video, 5040, inter);

        using var publisher = await RtmpClient.ConnectAsync(server.Rtmp("live/agg"));
        await publisher.PublishAsync();
        await publisher.WriteMediaAsync(9, 100, header);
        await publisher.WriteMediaAsync((byte)RtmpMessageType.Aggregate, 100, body);

        using var player = await RtmpClient.ConnectAsync(server.Rtmp("live/agg"));
        await player.PlayAsync();
        var received = new List<(uint Timestamp, byte[] Payload)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await player.ReceiveAsync((h, payload) =>
        {
            if (h.Type == RtmpMessageType.Video)
            {
                received.Add((h.Timestamp, payload.ToArray()));
            }

            return received.Count < 3;
        }, timeout.Token);

        Assert.Equal(header, received[0].Payload);
        Assert.Equal(key, received[1].Payload);
        Assert.Equal(inter, received[2].Payload);
        Assert.Equal(40u, received[2].Timestamp - received[1].Timestamp);
    }
}

[Collection("e2e")]
public class HandshakeTests
{
    [Theory]
    [InlineData(true, HandshakeKind.Digest)]
    [InlineData(false, HandshakeKind.Plain)]
    public async Task Plain_and_digest_handshakes_are_answered_in_kind(bool digest, HandshakeKind expected)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RtmpClient.ConnectAsync(server.Rtmp("live/hs"), digest);
        Assert.Equal(expected, client.Handshake);
        await client.PublishAsync();
        Assert.Equal(RtmpClient.PublishStart, client.LastStatusCode);
    }
}
