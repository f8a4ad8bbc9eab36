using Akka.Actor;

namespace Platform.Streams.Clients;

/// <summary>Asks a client's connection to close (an operator's kick, a stream stopped).</summary>
public sealed record KickClient(string Reason);

/// <summary>
/// A connection's presence in the control plane: stream entities watch it, so a session that ends in any
/// way (even a node lost) is seen as gone; the API kicks a client through it. The session owns it and
/// stops it when it closes.
/// </summary>
public sealed class ClientActor : ReceiveActor
{
    public ClientActor(Action<string> kick)
    {
        Receive<KickClient>(m => kick(m.Reason));
    }

    public static Props Props(Action<string> kick) => Akka.Actor.Props.Create(() => new ClientActor(kick));
}
