using Platform.Streams.Security;

namespace Platform.Streams.Tests.Security;

public class AddressListTests
{
    [Theory]
    [InlineData("all", "all")]
    [InlineData("ALL", "all")]
    [InlineData("127.0.0.1", "127.0.0.1/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.168.1.128/25", "192.168.1.128/25")]
    [InlineData("::1", "::1/128")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3/32")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    public void Ranges_parse_and_normalize(string text, string normalized)
    {
        Assert.True(AddressRange.TryParse(text, out var range, out var error), error);
        Assert.Equal(normalized, range.Text);
    }

    [Theory]
    [InlineData("10.0.0/8", "is not an IP address or CIDR")]
    [InlineData("10", "is not an IP address or CIDR")]
    [InlineData("300.0.0.1", "is not an IP address or CIDR")]
    [InlineData("", "is not an IP address or CIDR")]
    [InlineData("fe80::1%eth0", "is not an IP address or CIDR")]
    [InlineData("10.0.0.0/33", "prefix length must be 0-32")]
    [InlineData("10.0.0.0/", "prefix length must be 0-32")]
    [InlineData("10.0.0.0/-1", "prefix length must be 0-32")]
    [InlineData("::/129", "prefix length must be 0-128")]
    [InlineData("10.0.0.1/8", "did you mean 10.0.0.0/8?")]
    [InlineData("::ffff:10.0.0.0/64", "needs a prefix of 96-128")]
    public void Bad_ranges_say_why(string text, string reason)
    {
        Assert.False(AddressRange.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.200.0.1", true)]
    [InlineData("192.168.1.128/25", "192.168.1.127", false)]
    [InlineData("192.168.1.128/25", "192.168.1.255", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("fe80::/10", "fe80::1%2", true)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("all", "unknown", true)]
    [InlineData("0.0.0.0/0", "unknown", false)]
    public void Clients_are_matched_by_family_and_prefix(string range, string client, bool inside)
    {
        Assert.True(AddressRange.TryParse(range, out var parsed, out _));
        Assert.Equal(inside, parsed.Contains(AddressRange.Normalize(client)));
    }

    [Theory]
    [InlineData("allow 10.0.0.0/8", true, "10.0.0.0/8")]
    [InlineData("Deny  all", false, "all")]
    [InlineData("deny ::1", false, "::1/128")]
    public void Entries_parse(string text, bool allow, string range)
    {
        Assert.True(AddressEntry.TryParse(text, out var entry, out var error), error);
        Assert.Equal(allow, entry!.Allow);
        Assert.Equal(range, entry.Range.Text);
    }

    [Theory]
    [InlineData("permit 10.0.0.0/8", "unknown action 'permit'")]
    [InlineData("10.0.0.0/8", "unknown action '10.0.0.0/8'")]
    [InlineData("allow", "names no address")]
    [InlineData("deny 10.0.0/8", "'10.0.0/8' is not an IP address or CIDR")]
    public void Bad_entries_say_why(string text, string reason)
    {
        Assert.False(AddressEntry.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_matching_entry_decides_like_nginx_rtmp()
    {
        var list = List("deny 10.0.0.5", "allow 10.0.0.0/8", "allow ::1", "deny all");
        Assert.Equal((false, 0), list.Evaluate("10.0.0.5"));
        Assert.Equal((true, 1), list.Evaluate("10.0.0.6"));
        Assert.Equal((true, 1), list.Evaluate("::ffff:10.9.9.9"));
        Assert.Equal((true, 2), list.Evaluate("::1"));
        Assert.Equal((false, 3), list.Evaluate("127.0.0.1"));
        Assert.Equal((false, 3), list.Evaluate("unknown"));
    }

    [Fact]
    public void A_client_no_entry_covers_is_allowed()
    {
        Assert.Equal((true, -1), List("deny 10.0.0.0/8").Evaluate("127.0.0.1"));
        Assert.Equal((true, -1), AddressList.Empty.Evaluate("127.0.0.1"));
    }

    private static AddressList List(params string[] entries) =>
        new([.. entries.Select(e => AddressEntry.TryParse(e, out var entry, out _) ? entry! : throw new ArgumentException(e))]);
}
