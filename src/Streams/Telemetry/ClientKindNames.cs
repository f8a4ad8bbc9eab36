using Platform.Streams.Clients;

namespace Platform.Streams.Telemetry;

/// <summary>
/// The role and protocol of each <see cref="ClientKind"/>, read from the kind's name (<c>RtmpPlayer</c>:
/// player over rtmp, <c>FlvPlayer</c>: player over flv), so a new kind is counted without a table to edit.
/// </summary>
public static class ClientKindNames
{
    public const string Publisher = "publisher";
    public const string Player = "player";
    public const string Connecting = "connecting";

    /// <summary>A media link sending a stream of this node to another node (<c>LinkSender</c>): neither publisher nor player.</summary>
    public const string LinkOut = "link-out";

    /// <summary>A media link feeding this node from the publisher's node (<c>LinkReceiver</c>).</summary>
    public const string LinkIn = "link-in";

    private static readonly ClientKind[] Kinds = Enum.GetValues<ClientKind>();
    private static readonly (string Role, string Protocol)[] Names = Build();

    /// <summary>The protocols that have a player kind (rtmp, flv, ...), in the order of the enum.</summary>
    public static IReadOnlyList<string> PlayerProtocols { get; } = ProtocolsOf(Player);

    /// <summary>The protocols that have a publisher kind.</summary>
    public static IReadOnlyList<string> PublisherProtocols { get; } = ProtocolsOf(Publisher);

    /// <summary>Every protocol of any kind.</summary>
    public static IReadOnlyList<string> Protocols { get; } = [.. Names.Select(n => n.Protocol).Distinct()];

    /// <summary>Role (<c>publisher</c>, <c>player</c>, <c>connecting</c> or <c>client</c>) and lower-case protocol of a kind.</summary>
    public static (string Role, string Protocol) Of(ClientKind kind)
    {
        var index = Array.IndexOf(Kinds, kind);
        return index >= 0 ? Names[index] : ("client", "unknown");
    }

    /// <summary>Splits a kind's name into its protocol prefix and its role suffix.</summary>
    public static (string Role, string Protocol) Parse(string kindName)
    {
        foreach (var (suffix, role) in new[] { ("Publisher", Publisher), ("Player", Player), ("Connecting", Connecting), ("Sender", LinkOut), ("Receiver", LinkIn) })
        {
            if (kindName.Length > suffix.Length && kindName.EndsWith(suffix, StringComparison.Ordinal))
            {
                return (role, kindName[..^suffix.Length].ToLowerInvariant());
            }
        }

        return ("client", kindName.ToLowerInvariant());
    }

    private static (string Role, string Protocol)[] Build() => [.. Kinds.Select(k => Parse(k.ToString()))];

    private static string[] ProtocolsOf(string role) => [.. Names.Where(n => n.Role == role).Select(n => n.Protocol).Distinct()];
}
