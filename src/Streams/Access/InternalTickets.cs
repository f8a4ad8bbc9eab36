using System.Collections.Concurrent;
using System.Security.Cryptography;
using Platform.Streams.Clients;
using Platform.Streams.Security;

namespace Platform.Streams.Access;

/// <summary>One step of a stream's descent: it was made by <paramref name="Engine"/> from <paramref name="Source"/>.</summary>
public sealed record LineageStep(StreamKey Source, string Engine);

/// <summary>
/// A connection made by the platform itself (an engine's ffmpeg reading a source or publishing a rendition),
/// trusted through a ticket rather than outside credentials. <paramref name="Lineage"/> is the descent of
/// the stream it publishes, oldest first (empty for a reader).
/// </summary>
public sealed record InternalOrigin(string Worker, IReadOnlyList<LineageStep> Lineage)
{
    /// <summary>The stream whose worker made the connection (an engine reading its source): it does not count as that stream's reader.</summary>
    public StreamKey? WorkerOf { get; init; }

    /// <summary>
    /// A pulled source's publisher: the stream comes from outside, so hooks hear of it (on_publish decides,
    /// on_unpublish is told) as of any publisher; the built-in security rules for outside clients still do not apply.
    /// </summary>
    public bool Announced { get; init; }

    /// <summary>Whether the stream it publishes descends from <paramref name="stream"/> or was made by <paramref name="engine"/>.</summary>
    public bool DescendsFrom(StreamKey stream) => Lineage.Any(s => s.Source == stream);
}

/// <summary>
/// Tickets the node hands to the processes it runs itself, so that their connections to this node's own
/// listeners are recognized as the platform's (security rules and client hooks meant for outside clients
/// do not apply) and carry their lineage. A ticket is random, valid for one stream and one action, and
/// revoked when its worker stops; it never leaves the node (the process connects over loopback).
/// </summary>
public sealed class InternalTickets
{
    /// <summary>The query parameter that carries a ticket (its value is redacted in logs like any token).</summary>
    public const string Parameter = "platform_token";

    private readonly ConcurrentDictionary<string, Ticket> _tickets = new(StringComparer.Ordinal);

    public int Count => _tickets.Count;

    public string Issue(StreamKey stream, AccessAction action, InternalOrigin origin)
    {
        var value = Base64Url(RandomNumberGenerator.GetBytes(24));
        _tickets[value] = new Ticket(stream, action, origin);
        return value;
    }

    public void Revoke(string? ticket)
    {
        if (ticket is not null)
        {
            _tickets.TryRemove(ticket, out _);
        }
    }

    /// <summary>An RTMP connect that carries a live ticket (in the tcUrl's query) is the platform's.</summary>
    public bool AdmitsConnect(string? param) =>
        QueryParameters.Last(param, Parameter) is { } value && _tickets.ContainsKey(value);

    /// <summary>The origin of a publish or play that carries a ticket for this very stream and action; null otherwise.</summary>
    public InternalOrigin? Admit(string? param, StreamKey stream, AccessAction action) =>
        QueryParameters.Last(param, Parameter) is { } value
        && _tickets.TryGetValue(value, out var ticket)
        && ticket.Stream == stream
        && ticket.Action == action
            ? ticket.Origin
            : null;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Ticket(StreamKey Stream, AccessAction Action, InternalOrigin Origin);
}
