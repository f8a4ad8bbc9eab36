using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Platform.Ingest;

/// <summary>The listening socket and accept loop shared by the node's own TCP listeners (RTMP, media links).</summary>
internal static class TcpListen
{
    /// <summary>
    /// Binds and listens; on failure logs it naming <paramref name="key"/>, fails <paramref name="listening"/>
    /// and throws. On success logs the endpoint and completes <paramref name="listening"/> with it.
    /// </summary>
    public static Socket Open(string what, string key, string address, int port, int backlog, ILogger log, TaskCompletionSource<IPEndPoint> listening)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            listener.Listen(backlog);
        }
        catch (Exception ex)
        {
            listener.Dispose();
            log.LogCritical(ex, "{What} cannot listen on {Address}:{Port} (key {Key})", what, address, port, key);
            listening.TrySetException(ex);
            throw;
        }

        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        log.LogInformation("{What} listening on {Endpoint}", what, endpoint);
        listening.TrySetResult(endpoint);
        return listener;
    }

    /// <summary>Accepts connections until <paramref name="stoppingToken"/>; a failed accept is logged and skipped.</summary>
    public static async Task AcceptAsync(Socket listener, string what, ILogger log, Action<Socket> accepted, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                log.LogWarning("{What} accept failed: {Error}", what, ex.SocketErrorCode);
                continue;
            }

            accepted(socket);
        }
    }
}
