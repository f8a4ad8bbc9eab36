using Platform.Streams.Clients;

namespace Platform.Streams.Access;

/// <summary>What a client asks to do; each is checked before it happens.</summary>
public enum AccessAction
{
    /// <summary>An RTMP <c>connect</c> (SRS's on_connect).</summary>
    Connect,

    Publish,

    /// <summary>A play over any protocol: RTMP, HTTP-FLV, HLS.</summary>
    Play,
}

/// <summary>What a client did that others may want to hear of; notifications, never a decision.</summary>
public enum ClientEventKind
{
    /// <summary>A connection that was allowed to connect has closed (SRS's on_close).</summary>
    Closed,

    /// <summary>A publisher stopped publishing (on_unpublish).</summary>
    Unpublished,

    /// <summary>A player stopped playing (on_stop).</summary>
    Stopped,
}

public sealed record AccessRequest(AccessAction Action, ClientInfo Client);

/// <summary>The answer to an <see cref="AccessRequest"/>; a denial carries a reason for the log and the client.</summary>
public readonly record struct AccessDecision(bool Allowed, string Reason)
{
    public static readonly AccessDecision Allow = new(true, string.Empty);

    public static AccessDecision Deny(string reason) => new(false, reason);
}

/// <summary>One rule set deciding whether a client may connect, publish or play (tokens, address lists, hooks).</summary>
public interface IAccessCheck
{
    ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken);

    /// <summary>Whether it also decides for the platform's announced connections (a pulled source's publish: hooks do, tokens do not).</summary>
    bool ChecksAnnounced => false;
}

/// <summary>Hears of clients' lifecycle events. Must return at once: slow work goes to a queue of its own.</summary>
public interface IClientEventSink
{
    void OnClientEvent(ClientEventKind kind, ClientInfo client);
}

/// <summary>
/// The checks every protocol session runs before connect, publish and play, in order (the first denial
/// wins), and the sinks its lifecycle events go to. Sessions call it; what it decides lives in the checks.
/// </summary>
public sealed class AccessPipeline
{
    public static readonly AccessPipeline AllowAll = new([], []);

    private readonly IAccessCheck[] _checks;
    private readonly IClientEventSink[] _sinks;

    public AccessPipeline(IEnumerable<IAccessCheck> checks, IEnumerable<IClientEventSink> sinks)
    {
        _checks = [.. checks];
        _sinks = [.. sinks];
    }

    public async ValueTask<AccessDecision> CheckAsync(AccessAction action, ClientInfo client, CancellationToken cancellationToken)
    {
        if (client.Internal is { Announced: false })
        {
            return AccessDecision.Allow; // the platform's own connection, admitted by ticket
        }

        var request = new AccessRequest(action, client);
        foreach (var check in _checks)
        {
            if (client.Internal is not null && !check.ChecksAnnounced)
            {
                continue;
            }

            var decision = await check.CheckAsync(request, cancellationToken).ConfigureAwait(false);
            if (!decision.Allowed)
            {
                Telemetry.PlatformTelemetry.RecordDenial(action);
                return decision;
            }
        }

        return AccessDecision.Allow;
    }

    public void Notify(ClientEventKind kind, ClientInfo client)
    {
        if (client.Internal is { Announced: false })
        {
            return; // client hooks are for outside clients; engines show as their stream's workers
        }

        foreach (var sink in _sinks)
        {
            sink.OnClientEvent(kind, client);
        }
    }
}
