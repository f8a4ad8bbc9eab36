using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.EndToEnd.Tests.Sources.Peers;

/// <summary>
/// A live RTSP camera on loopback (<c>tests/fixtures/rtsp-camera.py</c>, Debian's GStreamer RTSP server):
/// H.264 (640x360 by default, 25 fps, a keyframe every 2 s, no B-frames) and AAC-LC 44.1 kHz stereo, over
/// RTSP/TCP and RTSP/UDP. Each client gets its own encoder, starting on a keyframe. A frozen camera keeps its
/// RTSP sessions open but sends no media: all of them from <see cref="FreezeAsync"/> to <see cref="ResumeAsync"/>,
/// or each session <c>freezeAfter</c> after it started (a camera that stalls again after every reconnect).
/// A reader without a timeout of its own waits on a frozen camera for ever.
/// </summary>
public sealed partial class RtspCamera : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly PeerProcess _process;

    private RtspCamera(PeerProcess process, string url, int port)
    {
        _process = process;
        Url = url;
        Port = port;
    }

    /// <summary><c>rtsp://127.0.0.1:PORT/MOUNT</c>.</summary>
    public string Url { get; }

    public int Port { get; }

    /// <summary>The camera's error output (GStreamer warnings), for a test's failure message.</summary>
    public string Output => _process.Tail();

    /// <summary>
    /// Starts a camera on a free port serving <paramref name="mount"/>, and returns once an RTSP DESCRIBE
    /// answers with H.264 and AAC tracks. With <paramref name="freezeAfter"/> every session freezes that long
    /// after it started.
    /// </summary>
    public static async Task<RtspCamera> StartAsync(string mount = "cam", string size = "640x360", int fps = 25, TimeSpan? freezeAfter = null)
    {
        var script = Path.Combine(PeerProcess.RepositoryRoot(), "tests", "fixtures", "rtsp-camera.py");
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: the RTSP camera runs on Debian's python3 with python3-gi (scripts/test.sh installs it)");
        }

        List<string> args = [script, "0", mount, "--size", size, "--fps", fps.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (freezeAfter is { } after)
        {
            args.AddRange(["--freeze-after", after.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var process = await PeerProcess.StartAsync("rtsp camera", Python, args);
        try
        {
            string? url = null;
            await process.WaitReadyAsync(() =>
            {
                url = ReadyLine().Match(process.Stdout) is { Success: true } m ? m.Groups[1].Value : null;
                return Task.FromResult(url is not null);
            }, StartTimeout, "READY line (are gir1.2-gst-rtsp-server-1.0 and the GStreamer plugins installed? scripts/test.sh installs them)");
            var port = new Uri(url!).Port;
            await process.WaitReadyAsync(() => DescribesH264AndAacAsync(url!, port), StartTimeout, $"DESCRIBE {url} with H.264 and AAC");
            return new RtspCamera(process, url!, port);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops sending media on every session (they stay open); returns once the camera says so.</summary>
    public Task FreezeAsync() => SignalAsync("USR1", "FROZEN");

    /// <summary>Sends media again (from a live timeline: the timestamps jump over the frozen time).</summary>
    public Task ResumeAsync() => SignalAsync("USR2", "RESUMED");

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task SignalAsync(string signal, string answer)
    {
        var before = Count(_process.Stdout, answer);
        _process.Signal(signal);
        await _process.WaitReadyAsync(() => Task.FromResult(Count(_process.Stdout, answer) > before), TimeSpan.FromSeconds(5), answer);
    }

    private static int Count(string text, string line) =>
        text.Split('\n', StringSplitOptions.TrimEntries).Count(l => l == line);

    /// <summary>An RTSP DESCRIBE on a fresh connection: 200 and an SDP with an H.264 and an AAC (MPEG4-GENERIC) track.</summary>
    private static async Task<bool> DescribesH264AndAacAsync(string url, int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = client.GetStream();
        var request = $"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: platform-e2e\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        var response = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var text = response.ToString();
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = ContentLength().Match(text[..end]) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;
                if (text.Length >= end + 4 + length)
                {
                    break;
                }
            }
        }

        var answer = response.ToString();
        if (!answer.StartsWith("RTSP/1.0 200", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"DESCRIBE answered: {answer.Split('\n')[0].Trim()}");
        }

        return answer.Contains("H264/90000", StringComparison.Ordinal) && answer.Contains("MPEG4-GENERIC", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^READY (rtsp://\S+)", RegexOptions.Multiline)]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^Content-Length:\s*(\d+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ContentLength();
}
