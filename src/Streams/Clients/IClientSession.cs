namespace Platform.Streams.Clients;

/// <summary>A live connection as the API sees it: who, how much, and how to end it.</summary>
public interface IClientSession
{
    ClientInfo Info { get; }

    long BytesSent { get; }

    long BytesReceived { get; }

    /// <summary>Closes the connection; safe to call more than once and from any thread.</summary>
    void Kick(string reason);

    /// <summary>
    /// Completes once the session has let go of its stream (a publish ended and reported, a play left) and
    /// is unregistered, however it ended; an operator's kick waits on it.
    /// </summary>
    Task Completion => Task.CompletedTask;

    /// <summary>
    /// When the client was last heard from, for clients made of separate requests (HLS viewers); null for a
    /// connection, which is active while it is open.
    /// </summary>
    DateTimeOffset? LastActive => null;
}
