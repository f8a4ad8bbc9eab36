using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Platform.Streams.Security;

/// <summary>
/// An address or network: <c>all</c>, an IPv4 or IPv6 address, or CIDR (<c>10.0.0.0/8</c>,
/// <c>2001:db8::/32</c>). IPv4-mapped IPv6 addresses (<c>::ffff:10.1.2.3</c>) are taken as the IPv4 address,
/// both in entries and for clients, so one IPv4 entry covers a client seen over an IPv6 socket.
/// </summary>
public sealed class AddressRange
{
    public static readonly AddressRange All = new(null, 0, "all");

    private readonly byte[]? _network;
    private readonly int _prefix;

    private AddressRange(byte[]? network, int prefix, string text)
    {
        _network = network;
        _prefix = prefix;
        Text = text;
    }

    /// <summary>The normalized form (<c>all</c>, <c>10.0.0.0/8</c>, <c>::1/128</c>).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Parses an entry; on failure says why (for a start-up message).</summary>
    public static bool TryParse(string? value, out AddressRange range, out string error)
    {
        range = All;
        error = string.Empty;
        var text = value?.Trim() ?? string.Empty;
        if (string.Equals(text, "all", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address) || !LooksComplete(addressText, address))
        {
            error = $"'{text}' is not an IP address or CIDR (e.g. 10.0.0.0/8, 192.168.1.7, 2001:db8::/32, all)";
            return false;
        }

        var mapped = address.IsIPv4MappedToIPv6;
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                error = $"'{text}': the prefix length must be 0-{bits}";
                return false;
            }
        }

        if (mapped)
        {
            if (prefix < 96)
            {
                error = $"'{text}': an IPv4-mapped network needs a prefix of 96-128";
                return false;
            }

            address = address.MapToIPv4();
            prefix -= 96;
        }

        var bytes = address.GetAddressBytes();
        var masked = Mask(bytes, prefix);
        if (!masked.AsSpan().SequenceEqual(bytes))
        {
            error = $"'{text}' has bits set past /{(mapped ? prefix + 96 : prefix)}; did you mean {new IPAddress(masked)}/{prefix}?";
            return false;
        }

        range = new AddressRange(masked, prefix, $"{new IPAddress(masked)}/{prefix}");
        return true;
    }

    /// <summary>The client address normalized as entries are (IPv4-mapped to IPv4, no scope), or null if none.</summary>
    public static byte[]? Normalize(string? ip)
    {
        if (string.IsNullOrEmpty(ip))
        {
            return null;
        }

        var percent = ip.IndexOf('%', StringComparison.Ordinal);
        if (!IPAddress.TryParse(percent < 0 ? ip : ip[..percent], out var address))
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
    }

    /// <summary>Whether a normalized client address is in this range; an unknown address is only in <c>all</c>.</summary>
    public bool Contains(byte[]? address)
    {
        if (_network is null)
        {
            return true;
        }

        if (address is null || address.Length != _network.Length)
        {
            return false;
        }

        var full = _prefix / 8;
        if (!address.AsSpan(0, full).SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var rest = _prefix % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (address[full] & mask) == _network[full];
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = new byte[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            masked[i] = (byte)(bytes[i] & (0xFF << (8 - bits)));
        }

        return masked;
    }

    /// <summary>IPAddress.TryParse takes "10" or "10.1" as IPv4 shorthands; a list entry must be written out.</summary>
    private static bool LooksComplete(string text, IPAddress address) =>
        address.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3;
}

/// <summary>One <c>allow</c> or <c>deny</c> entry of an address list.</summary>
public sealed record AddressEntry(bool Allow, AddressRange Range)
{
    public override string ToString() => $"{(Allow ? "allow" : "deny")} {Range}";

    /// <summary>Parses <c>allow RANGE</c> or <c>deny RANGE</c>; on failure says why.</summary>
    public static bool TryParse(string? value, out AddressEntry? entry, out string error)
    {
        entry = null;
        var text = value?.Trim() ?? string.Empty;
        var space = text.IndexOfAny([' ', '\t']);
        var verb = space < 0 ? text : text[..space];
        bool allow;
        if (string.Equals(verb, "allow", StringComparison.OrdinalIgnoreCase))
        {
            allow = true;
        }
        else if (string.Equals(verb, "deny", StringComparison.OrdinalIgnoreCase))
        {
            allow = false;
        }
        else
        {
            error = $"unknown action '{verb}' (allowed: 'allow ADDRESS', 'deny ADDRESS', where ADDRESS is an IP address, a CIDR or all)";
            return false;
        }

        if (space < 0)
        {
            error = $"'{text}' names no address (e.g. '{verb} 10.0.0.0/8', '{verb} all')";
            return false;
        }

        if (!AddressRange.TryParse(text[(space + 1)..], out var range, out error))
        {
            return false;
        }

        entry = new AddressEntry(allow, range);
        error = string.Empty;
        return true;
    }
}

/// <summary>
/// An ordered list of <c>allow</c>/<c>deny</c> entries, evaluated like nginx-rtmp's: the first entry that
/// covers the client decides; a client no entry covers is allowed.
/// </summary>
public sealed class AddressList
{
    public static readonly AddressList Empty = new([]);

    public AddressList(IReadOnlyList<AddressEntry> entries)
    {
        Entries = entries;
    }

    public IReadOnlyList<AddressEntry> Entries { get; }

    /// <summary>Whether the client may go on; the deciding entry's index, or -1 when none covers it.</summary>
    public (bool Allowed, int Entry) Evaluate(string? ip)
    {
        var address = AddressRange.Normalize(ip);
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i].Range.Contains(address))
            {
                return (Entries[i].Allow, i);
            }
        }

        return (true, -1);
    }
}
