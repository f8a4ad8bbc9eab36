using Platform.Streams.Clients;

namespace Platform.Sources.Workers;

/// <summary>
/// The control plane's view of a pull by the platform's own client: registered like a connection (so the
/// entity watches it and an operator's kick of the stream's publisher restarts the pull), shown as the
/// platform's own (not among outside clients).
/// </summary>
internal sealed class SourceSession(ClientInfo info, Func<long> bytesIn, Action<string> kick) : IClientSession
{
    public ClientInfo Info { get; } = info;

    public long BytesSent => 0;

    public long BytesReceived => bytesIn();

    public void Kick(string reason) => kick(reason);
}
