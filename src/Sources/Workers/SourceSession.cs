using Platform.Streams.Clients;

namespace Platform.Sources.Workers;

/// <summary>
/// The control plane's view of a pull by the platform's own client: registered like a connection (so the
/// entity watches it and an operator's kick of the stream's publisher restarts the pull), shown as the
/// platform's own (not among outside clients). <see cref="Completion"/> ends once the pull's run has let go
/// of the stream (its publish ended and reported, the session unregistered), as a connection's does: a
/// node's drain and an operator's kick wait on it.
/// </summary>
internal sealed class SourceSession(ClientInfo info, Func<long> bytesIn, Action<string> kick, Task completion) : IClientSession
{
    public ClientInfo Info { get; } = info;

    public long BytesSent => 0;

    public long BytesReceived => bytesIn();

    public Task Completion { get; } = completion;

    public void Kick(string reason) => kick(reason);
}
