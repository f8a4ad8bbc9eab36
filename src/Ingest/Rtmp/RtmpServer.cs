using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Telemetry;

namespace Platform.Ingest.Rtmp;

/// <summary>Accepts RTMP connections and runs one <see cref="RtmpSession"/> per connection.</summary>
public sealed class RtmpServer : BackgroundService
{
    private readonly RtmpServerOptions _options;
    private readonly StreamControl _control;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;

    public RtmpServer(RtmpServerOptions options, StreamControl control, ILoggerFactory loggers)
    {
        _options = options;
        _control = control;
        _loggers = loggers;
        _log = loggers.CreateLogger<RtmpServer>();
    }

    /// <summary>Completes with the bound endpoint once the listener is open.</summary>
    public Task<IPEndPoint> Listening => _listening.Task;

    public int Connections => Volatile.Read(ref _connections);

    private readonly CancellationTokenSource _accepting = new();

    /// <summary>
    /// Closes the listener (new connections are refused, so a balancer tries another node); the sessions
    /// already open go on. A draining node calls it.
    /// </summary>
    public void StopAccepting()
    {
        try
        {
            _accepting.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override void Dispose()
    {
        _accepting.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = TcpListen.Open("RTMP", "Rtmp:Port", _options.BindAddress, _options.Port, 1024, _log, _listening);
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _accepting.Token);
        await TcpListen.AcceptAsync(listener, "RTMP", _log, socket =>
        {
            if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                PlatformTelemetry.RecordConnection("rtmp", accepted: false);
                _log.LogWarning("RTMP connection from {Remote} refused: {Max} connections (key Rtmp:MaxConnections)", socket.RemoteEndPoint, _options.MaxConnections);
                socket.Dispose();
                return;
            }

            PlatformTelemetry.RecordConnection("rtmp", accepted: true);
            _ = RunSessionAsync(socket, stoppingToken);
        }, accepting.Token);
        if (!stoppingToken.IsCancellationRequested)
        {
            _log.LogInformation("RTMP listener closed: the node takes no new connections");
        }
    }

    private async Task RunSessionAsync(Socket socket, CancellationToken stoppingToken)
    {
        try
        {
            var log = _loggers.CreateLogger<RtmpSession>();
            var session = new RtmpSession(socket, _options, _control, log);
            using var telemetry = SessionTelemetry.Begin("rtmp", session, log);
            await session.RunAsync(stoppingToken);
        }
        catch (Akka.Actor.AskTimeoutException ex)
        {
            // The cluster did not answer (a stream's entity moving, a node unreachable): not a bug of the session.
            _log.LogWarning("RTMP session ended: the cluster did not answer in time ({Error})", ex.Message);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "RTMP session failed");
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }
}
