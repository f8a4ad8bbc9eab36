using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Platform.Streams.Clients;

namespace Platform.Streams.Telemetry;

/// <summary>
/// A connection's telemetry from accept to close: its span (a root span named after the protocol, with the
/// client's id and address; stream, kind and byte counts added when it ends) and a log scope that gives
/// every log line of the session the structured properties <c>ClientId</c> and <c>Stream</c>, read from the
/// session when the line is written (the stream is known only after publish or play).
/// </summary>
public sealed class SessionTelemetry : IDisposable
{
    private static readonly AsyncLocal<IClientSession?> s_current = new();

    private readonly IClientSession _session;
    private readonly IClientSession? _previousSession;
    private readonly Activity? _activity;
    private readonly Activity? _previous;
    private readonly IDisposable? _scope;

    private SessionTelemetry(string protocol, IClientSession session, ILogger log)
    {
        _session = session;
        _previous = Activity.Current;

        // A connection is its own trace, whatever the request or loop that accepted it was doing.
        Activity.Current = null;
        _activity = PlatformTelemetry.ActivitySource.StartActivity(protocol + " connection", ActivityKind.Server);
        if (_activity is not null)
        {
            var info = session.Info;
            _activity.SetTag(TagNames.Protocol, protocol);
            _activity.SetTag(TagNames.ClientId, info.Id);
            _activity.SetTag(TagNames.ClientAddress, info.Ip);
        }

        _scope = log.BeginScope(new SessionLogScope(session));
        _previousSession = s_current.Value;
        s_current.Value = session;
    }

    /// <summary>The session whose code is running (log exporters add its ids to each record), if any.</summary>
    public static IClientSession? Current => s_current.Value;

    /// <summary>Starts the span and the log scope; dispose when the connection is closed, in the same flow.</summary>
    public static SessionTelemetry Begin(string protocol, IClientSession session, ILogger log) => new(protocol, session, log);

    /// <summary><see cref="Begin"/> for a connection accepted here (HTTP-FLV); counts it as accepted.</summary>
    public static SessionTelemetry BeginAccepted(string protocol, IClientSession session, ILogger log)
    {
        PlatformTelemetry.RecordConnection(protocol, accepted: true);
        return new(protocol, session, log);
    }

    public void Dispose()
    {
        s_current.Value = _previousSession;
        _scope?.Dispose();
        if (_activity is not null)
        {
            var info = _session.Info;
            if (info.Stream.Vhost is not null)
            {
                _activity.SetTag(TagNames.Stream, info.Stream.EntityId);
            }

            _activity.SetTag(TagNames.ClientKind, info.Kind.ToString());
            _activity.SetTag(TagNames.BytesReceived, _session.BytesReceived);
            _activity.SetTag(TagNames.BytesSent, _session.BytesSent);
            _activity.Stop();
        }

        Activity.Current = _previous;
    }
}

/// <summary>The <c>ClientId</c> and <c>Stream</c> of a session as a log scope, read when a line is logged.</summary>
public sealed class SessionLogScope(IClientSession session) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ClientId", session.Info.Id),
        1 => new("Stream", StreamOf(session.Info)),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"ClientId:{session.Info.Id} Stream:{StreamOf(session.Info)}";

    public static string StreamOf(ClientInfo info) => info.Stream.Vhost is null || string.IsNullOrEmpty(info.Stream.Stream) ? string.Empty : info.Stream.EntityId;
}
