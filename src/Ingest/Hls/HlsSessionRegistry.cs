using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Clients;

namespace Platform.Ingest.Hls;

/// <summary>What is known of an <c>hls_ctx</c> a request carries.</summary>
public enum HlsContextState
{
    /// <summary>Never seen, or its session timed out.</summary>
    Unknown,

    Active,

    /// <summary>Its session was kicked: requests carrying it are refused.</summary>
    Refused,
}

/// <summary>How starting an HLS session went.</summary>
public enum HlsStartResult
{
    Started,

    /// <summary>An access check denied the play.</summary>
    Denied,

    /// <summary>The stream's entity refused the viewer.</summary>
    Rejected,

    /// <summary>The context is taken by another client, or was kicked while starting.</summary>
    Conflict,

    /// <summary>Too many HLS sessions on this node.</summary>
    Full,
}

public sealed record HlsStart(HlsStartResult Result, HlsSession? Session, string Reason);

/// <summary>
/// The HLS viewer sessions of this node, by context id. A request costs one dictionary lookup; a sweeper
/// ends sessions that made no request for the idle timeout and forgets kicked contexts after a while.
/// Starting a session runs the play access checks and registers the viewer with the client registry and
/// the stream's entity, so it is listed, counted among the stream's clients and can be kicked.
/// </summary>
public sealed class HlsSessionRegistry : IDisposable
{
    /// <summary>How long a kicked context stays refused.</summary>
    public static readonly TimeSpan RefusedFor = TimeSpan.FromMinutes(10);

    private const int MaxRefused = 100_000;
    private readonly ConcurrentDictionary<string, HlsSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly StreamControl _control;
    private readonly Func<HlsSessionLimits> _limits;
    private readonly ILogger _log;
    private readonly Timer _sweeper;
    private int _disposed;

    public HlsSessionRegistry(StreamControl control, Func<HlsSessionLimits> limits, ILogger<HlsSessionRegistry> log, TimeSpan? sweepInterval = null)
    {
        _control = control;
        _limits = limits;
        _log = log;
        var every = sweepInterval ?? TimeSpan.FromMilliseconds(500);
        _sweeper = new Timer(static s => ((HlsSessionRegistry)s!).Sweep(), this, every, every);
    }

    public int Count => _sessions.Count;

    public HlsContextState Find(string context, out HlsSession? session)
    {
        if (_sessions.TryGetValue(context, out session))
        {
            return HlsContextState.Active;
        }

        return _refused.ContainsKey(context) ? HlsContextState.Refused : HlsContextState.Unknown;
    }

    /// <summary>
    /// Starts a session for <paramref name="info"/> (its id is the context): access checks first, then the
    /// client registry and the stream's entity. <paramref name="defaultTimeout"/> applies when no idle
    /// timeout is configured.
    /// </summary>
    public async Task<HlsStart> StartAsync(ClientInfo info, TimeSpan defaultTimeout, CancellationToken cancellationToken)
    {
        if (_sessions.Count >= _limits().MaxSessions)
        {
            return new HlsStart(HlsStartResult.Full, null, $"too many HLS sessions on this node ({_limits().MaxSessions})");
        }

        var decision = await _control.Access.CheckAsync(AccessAction.Play, info, cancellationToken);
        if (!decision.Allowed)
        {
            _log.LogWarning("client {ClientId} from {Ip} ({Stream}): HLS play refused, {Reason}", info.Id, info.Ip, info.Stream, decision.Reason);
            return new HlsStart(HlsStartResult.Denied, null, decision.Reason);
        }

        var session = new HlsSession(this, info, defaultTimeout);
        if (!_sessions.TryAdd(info.Id, session))
        {
            // Two first requests with one context at once: both use the session that won.
            return _sessions.TryGetValue(info.Id, out var existing)
                ? new HlsStart(HlsStartResult.Started, existing, string.Empty)
                : new HlsStart(HlsStartResult.Conflict, null, "hls_ctx ended while starting");
        }

        var handle = _control.TryConnect(session);
        if (handle is null)
        {
            _sessions.TryRemove(new KeyValuePair<string, HlsSession>(info.Id, session));
            return new HlsStart(HlsStartResult.Conflict, null, "hls_ctx is the id of another client");
        }

        session.Handle = handle;
        string? rejection;
        try
        {
            rejection = await _control.WatchAsync(handle, cancellationToken);
        }
        catch
        {
            End(session, "start failed", kicked: false);
            throw;
        }

        if (rejection is not null)
        {
            End(session, rejection, kicked: false);
            return new HlsStart(HlsStartResult.Rejected, null, rejection);
        }

        session.Watching = true;
        if (session.HasEnded)
        {
            // Kicked while starting: the entity was told before Watching was set, so tell it now.
            _control.StopWatching(info);
            return new HlsStart(HlsStartResult.Conflict, null, "kicked");
        }

        _log.LogInformation("client {ClientId} from {Ip}: playing {Stream} over HLS", info.Id, info.Ip, info.Stream);
        return new HlsStart(HlsStartResult.Started, session, string.Empty);
    }

    /// <summary>Ends a session once: unregisters it, tells the stream's entity, and raises its stop event.</summary>
    internal void End(HlsSession session, string reason, bool kicked)
    {
        if (!session.TryEnd())
        {
            return;
        }

        var info = session.Info;
        _sessions.TryRemove(new KeyValuePair<string, HlsSession>(info.Id, session));
        if (kicked && _refused.Count < MaxRefused)
        {
            _refused[info.Id] = Environment.TickCount64 + (long)RefusedFor.TotalMilliseconds;
        }

        try
        {
            if (session.Watching)
            {
                _control.StopWatching(info);
            }

            session.Handle?.Dispose();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The actor system is already stopping.
        }

        if (session.Watching)
        {
            _control.Access.Notify(ClientEventKind.Stopped, info);
        }

        session.Completed();
        _log.LogInformation("client {ClientId} ({Stream}): HLS session ended, {Reason}, {Bytes} bytes sent", info.Id, info.Stream, reason, session.BytesSent);
    }

    /// <summary>
    /// Ends a viewer's session here at once because its requests now go to another node (this one drains):
    /// the viewer is counted where it is served, not on both nodes until the session would have timed out.
    /// </summary>
    public void Moved(string context)
    {
        if (_sessions.TryGetValue(context, out var session))
        {
            End(session, "moved to another node (this node is draining)", kicked: false);
        }
    }

    /// <summary>Ends idle sessions and forgets kicked contexts whose time is up.</summary>
    public void Sweep()
    {
        var now = Environment.TickCount64;
        var configured = _limits().IdleTimeout;
        foreach (var session in _sessions.Values)
        {
            var timeout = configured ?? session.DefaultTimeout;
            if (now - session.LastSeenMs > timeout.TotalMilliseconds)
            {
                End(session, $"no request for {timeout.TotalSeconds:0.#} s", kicked: false);
            }
        }

        foreach (var (context, until) in _refused)
        {
            if (until < now)
            {
                _refused.TryRemove(new KeyValuePair<string, long>(context, until));
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sweeper.Dispose();
        foreach (var session in _sessions.Values)
        {
            End(session, "server stopping", kicked: false);
        }
    }
}

/// <summary>The limits HLS sessions are held to, read at each decision (they may change with a reload).</summary>
/// <param name="IdleTimeout">Ends a session after this long without a request; null: the session's default.</param>
/// <param name="MaxSessions">At most this many sessions on the node.</param>
public sealed record HlsSessionLimits(TimeSpan? IdleTimeout, int MaxSessions);
