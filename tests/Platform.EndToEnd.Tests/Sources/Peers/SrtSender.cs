using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Platform.EndToEnd.Tests.Sources.Peers;

/// <summary>
/// An SRT source a puller connects to as caller: ffmpeg sends a file in a loop in real time
/// (<c>-re -stream_loop -1 -c copy -f mpegts</c>) as an SRT listener on a free loopback port. ffmpeg serves one
/// caller and ends when it leaves, so the sender starts it again on the same port: the next caller (a puller
/// that reconnects) finds it listening again shortly after (<see cref="WaitListeningAsync"/>).
/// </summary>
public sealed class SrtSender : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string _input;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private PeerProcess _current;
    private Task _loop = Task.CompletedTask;
    private int _listens = 1;

    private SrtSender(string input, int port, PeerProcess first)
    {
        _input = input;
        Port = port;
        _current = first;
    }

    public int Port { get; }

    /// <summary><c>srt://127.0.0.1:PORT</c>, for a caller (ffmpeg's default SRT mode).</summary>
    public string Url => $"srt://127.0.0.1:{Port}";

    /// <summary>How many times ffmpeg started listening (1, plus one each time a caller left).</summary>
    public int Listens => Volatile.Read(ref _listens);

    /// <summary>The current ffmpeg's error output, for a test's failure message.</summary>
    public string Output => Current.Tail();

    private PeerProcess Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Sends <paramref name="input"/> (an FLV or MP4 with H.264 and AAC) once ffmpeg listens; returns when it does.</summary>
    public static async Task<SrtSender> StartAsync(string input)
    {
        var port = FreeUdpPort();
        var first = await StartListenerAsync(input, port);
        try
        {
            await first.WaitReadyAsync(() => Task.FromResult(IsBound(port)), StartTimeout, $"SRT listener on UDP 127.0.0.1:{port}");
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }

        var sender = new SrtSender(input, port, first);
        sender._loop = sender.RelistenAsync();
        return sender;
    }

    /// <summary>
    /// Waits until ffmpeg listens for a caller again (its UDP port is bound), at most <paramref name="timeout"/>
    /// (15 s): after a caller left, before the next one connects.
    /// </summary>
    public async Task WaitListeningAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? StartTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (Current is { HasExited: false } && IsBound(Port))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"srt sender: not listening on UDP 127.0.0.1:{Port} after {limit.TotalSeconds} s. {Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Current.DisposeAsync();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
        }

        await Current.DisposeAsync();
        _stop.Dispose();
    }

    private static Task<PeerProcess> StartListenerAsync(string input, int port) =>
        PeerProcess.StartAsync("srt sender", "ffmpeg",
            ["-hide_banner", "-nostdin", "-loglevel", "warning", "-re", "-stream_loop", "-1", "-i", input,
             "-c", "copy", "-f", "mpegts", $"srt://127.0.0.1:{port}?mode=listener"]);

    /// <summary>Starts ffmpeg again each time it ends (its caller left), until disposed.</summary>
    private async Task RelistenAsync()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            var current = Current;
            var started = DateTime.UtcNow;
            await current.WaitForExitAsync(_stop.Token);

            // One that ends at once (a bad input, the port taken) is retried slower, not in a tight loop.
            delay = DateTime.UtcNow - started < TimeSpan.FromSeconds(1) ? TimeSpan.FromMilliseconds(Math.Min(2000, delay.TotalMilliseconds * 2)) : TimeSpan.FromMilliseconds(100);
            await Task.Delay(delay, _stop.Token);
            var next = await StartListenerAsync(_input, Port);
            lock (_gate)
            {
                _current = next;
            }

            if (_stop.IsCancellationRequested)
            {
                await next.DisposeAsync();
                break;
            }

            Interlocked.Increment(ref _listens);
            await current.DisposeAsync();
        }
    }

    /// <summary>Whether a UDP socket is bound to 127.0.0.1:<paramref name="port"/> (from <c>/proc/net/udp</c>).</summary>
    private static bool IsBound(int port)
    {
        var local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/udp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 1 && fields[1] == local);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
