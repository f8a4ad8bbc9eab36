namespace Platform.Streams.Clients;

/// <summary>A live connection as the API sees it: who, how much, and how to end it.</summary>
public interface IClientSession
{
    ClientInfo Info { get; }

    long BytesSent { get; }

    long BytesReceived { get; }

    /// <summary>Closes the connection; safe to call more than once and from any thread.</summary>
    void Kick(string reason);
}
