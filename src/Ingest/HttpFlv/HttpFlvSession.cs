using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Media.Flv;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;
using Platform.Streams.Hub;

namespace Platform.Ingest.HttpFlv;

/// <summary>
/// One HTTP-FLV player (<c>GET /{app}/{stream}.flv</c>): a chunked response carrying the FLV header and
/// then the stream's shared FLV tags, a batch per write. Starts at once from the hub's cached GOP.
/// </summary>
public sealed class HttpFlvSession : IClientSession
{
    private readonly HttpContext _context;
    private readonly StreamControl _control;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _closed;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesSent;
    private long _sendStartedMs;
    private PlayLease? _play;
    private int _kicked;

    public HttpFlvSession(HttpContext context, StreamKey key, StreamControl control, ILogger log)
    {
        _context = context;
        _control = control;
        _log = log;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var request = context.Request;
        Info = new ClientInfo(ClientIds.Next(), ClientKind.FlvPlayer, context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            key, $"http://{request.Host}/{key.App}", request.Headers.Referer.ToString(), string.Empty,
            request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty, DateTimeOffset.UtcNow);
    }

    public ClientInfo Info { get; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => 0;

    public Task Completion => _completion.Task;

    public void Kick(string reason)
    {
        if (Interlocked.Exchange(ref _kicked, 1) == 0)
        {
            Streams.Telemetry.PlatformTelemetry.RecordKick(reason);
            _log.LogInformation("client {ClientId} ({Stream}): closing, {Reason}", Info.Id, Info.Stream, reason);
        }

        _play?.Queue.Close(reason);
        try
        {
            _closed.Cancel();
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private TimeSpan _sendTimeout;

    /// <summary>Runs every second: a write stuck longer than the send timeout closes the connection.</summary>
    private void CheckSend()
    {
        var started = Volatile.Read(ref _sendStartedMs);
        if (started != 0 && Environment.TickCount64 - started > _sendTimeout.TotalMilliseconds)
        {
            Kick($"send took over {_sendTimeout.TotalSeconds:0} s");
        }
    }

    /// <param name="playWait">How long to wait for a publisher; zero: a stream published nowhere is answered 404 at once.</param>
    public async Task RunAsync(TimeSpan sendTimeout, TimeSpan? playWait = null)
    {
        try
        {
            await PlayAsync(sendTimeout, playWait);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private async Task PlayAsync(TimeSpan sendTimeout, TimeSpan? playWait)
    {
        using var client = _control.Connect(this);
        PlayOutcome outcome;
        try
        {
            var decision = await _control.Access.CheckAsync(AccessAction.Play, Info, _closed.Token);
            if (!decision.Allowed)
            {
                _log.LogWarning("client {ClientId} from {Ip} ({Stream}): play refused, {Reason}", Info.Id, Info.Ip, Info.Stream, decision.Reason);
                _context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await _context.Response.WriteAsync(decision.Reason, _closed.Token);
                return;
            }

            outcome = await _control.PlayAsync(client, _closed.Token, playWait);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (outcome.Lease is null)
        {
            _log.LogWarning("client {ClientId} from {Ip} ({Stream}): play refused, {Reason}", Info.Id, Info.Ip, Info.Stream, outcome.Rejection);
            _context.Response.StatusCode = StatusCodes.Status404NotFound;
            await _context.Response.WriteAsync(outcome.Rejection!, _closed.Token);
            return;
        }

        using var play = outcome.Lease;
        _play = play;
        using var stopped = new Stopped(_control.Access, Info);
        using var closing = _closed.Token.Register(static p => ((PlayLease)p!).Queue.Close("client gone"), play);
        _sendTimeout = sendTimeout;
        using var watchdog = Watchdog.Register(CheckSend);
        var response = _context.Response;
        response.ContentType = "video/x-flv";
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        _log.LogInformation("client {ClientId} from {Ip}: playing {Stream} over HTTP-FLV", Info.Id, Info.Ip, Info.Stream);

        var body = response.BodyWriter;
        FlvWriter.WriteFileHeader(body.GetSpan(FlvWriter.FileHeaderLength), hasAudio: true, hasVideo: true);
        body.Advance(FlvWriter.FileHeaderLength);
        var batch = new List<MediaFrame>(128);
        try
        {
            await body.FlushAsync(_closed.Token);
            while (await play.NextBatchAsync(batch))
            {
                long bytes = 0;
                foreach (var frame in batch)
                {
                    var tag = frame.FlvTag;
                    body.Write(tag.ReadOnlySpan);
                    bytes += tag.Length;
                    frame.Release();
                }

                batch.Clear();
                Volatile.Write(ref _sendStartedMs, Environment.TickCount64);
                await body.FlushAsync(_closed.Token);
                Volatile.Write(ref _sendStartedMs, 0);
                Interlocked.Add(ref _bytesSent, bytes);
                play.Hub.Stats.CountOut(bytes);
            }

            _log.LogInformation("client {ClientId} ({Stream}): HTTP-FLV play ended, {Reason}", Info.Id, Info.Stream, play.EndReason);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
        }
        finally
        {
            foreach (var frame in batch)
            {
                frame.Release();
            }
        }
    }

    /// <summary>Raises the play's stop event however the play ends.</summary>
    private readonly struct Stopped(AccessPipeline access, ClientInfo info) : IDisposable
    {
        public void Dispose() => access.Notify(ClientEventKind.Stopped, info);
    }
}
