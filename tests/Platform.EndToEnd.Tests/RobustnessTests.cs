using System.Net.Sockets;
using System.Text;
using Platform.Media.Rtmp;
using Platform.Streams;

namespace Platform.EndToEnd.Tests;

/// <summary>Slow and hostile clients hurt only themselves.</summary>
[Collection("e2e")]
public class RobustnessTests
{
    private static readonly StreamKey Key = new(StreamKey.DefaultVhost, "live", "r1");

    [Fact]
    public async Task A_stalled_reader_does_not_slow_other_readers_and_is_cut()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Http:SendTimeout"] = "00:00:03",
            ["Streams:ReaderMaxLag"] = "00:00:04",
        });
        // Lossless video: several Mbit/s, so the stalled player's socket buffers fill within seconds.
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/r1"), size: "640x360", videoArgs: ["-qp", "0"]);
        await Eventually.TrueAsync(() => server.Hubs.Find(Key)?.Stats.FramesIn > 30, TimeSpan.FromSeconds(30), "publishing");

        // A player that asks for the stream and never reads, with a tiny receive window.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", server.HttpPort);
        await stalled.SendAsync(Encoding.ASCII.GetBytes("GET /live/r1.flv HTTP/1.1\r\nHost: x\r\n\r\n"));
        await Eventually.TrueAsync(() => server.Players(Key) == 1, TimeSpan.FromSeconds(10), "stalled reader joined");

        var started = DateTime.UtcNow;
        var (exit, errors, frames) = await Probe.DecodeAsync(server.Http("live/r1.flv"), 8);
        var took = DateTime.UtcNow - started;
        Assert.True(exit == 0, errors);
        Assert.True(frames >= 190, $"the healthy reader decoded {frames} frames");
        Assert.True(took < TimeSpan.FromSeconds(20), $"8 s of media took {took.TotalSeconds:0.0} s");

        await Eventually.TrueAsync(() => server.Players(Key) == 0, TimeSpan.FromSeconds(60), "stalled reader cut");
        Assert.False(publisher.HasExited);
    }

    [Fact]
    public async Task Malformed_input_closes_only_that_connection()
    {
        await using var server = await TestServer.StartAsync();
        await using var publisher = Ffmpeg.Publish(server.Rtmp("live/r1"));
        await Eventually.TrueAsync(() => server.Hubs.Find(Key)?.Stats.FramesIn > 30, TimeSpan.FromSeconds(30), "publishing");

        // Wrong handshake version.
        Assert.True(await IsClosedByServerAsync(server, [0x06, .. new byte[1536]]));

        // A valid handshake, then a chunk stream that starts with fmt 3.
        Assert.True(await IsClosedByServerAsync(server, null, [0xC3, 0x01, 0x02, 0x03]));

        // A valid handshake, then a message that declares 16 MiB.
        Assert.True(await IsClosedByServerAsync(server, null, [0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x09, 0, 0, 0, 0]));

        var (exit, errors, frames) = await Probe.DecodeAsync(server.Rtmp("live/r1"), 2);
        Assert.True(exit == 0 && frames > 25, errors);
        Assert.False(publisher.HasExited);
    }

    /// <summary>Sends the bytes (or a valid handshake then <paramref name="after"/>) and waits for the server to close.</summary>
    private static async Task<bool> IsClosedByServerAsync(TestServer server, byte[]? raw, byte[]? after = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", server.RtmpPort);
        var buffer = new byte[8192];
        if (raw is not null)
        {
            await socket.SendAsync(raw);
        }
        else
        {
            var c0c1 = new byte[RtmpHandshake.C0C1Size];
            RtmpHandshake.WriteC0C1(c0c1, digest: false, 0, new byte[RtmpHandshake.C1RandomLength]);
            await socket.SendAsync(c0c1);
            var received = 0;
            while (received < RtmpHandshake.S0S1S2Size)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, RtmpHandshake.S0S1S2Size - received)));
                Assert.True(n > 0, "server closed during the handshake");
                received += n;
            }

            await socket.SendAsync(new byte[RtmpHandshake.PacketSize]);
            await socket.SendAsync(after!);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
