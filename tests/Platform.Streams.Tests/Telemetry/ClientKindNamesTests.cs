using Platform.Streams.Clients;
using Platform.Streams.Telemetry;

namespace Platform.Streams.Tests.Telemetry;

public class ClientKindNamesTests
{
    [Theory]
    [InlineData(ClientKind.RtmpPublisher, "publisher", "rtmp")]
    [InlineData(ClientKind.RtmpPlayer, "player", "rtmp")]
    [InlineData(ClientKind.FlvPlayer, "player", "flv")]
    [InlineData(ClientKind.RtmpConnecting, "connecting", "rtmp")]
    public void Each_kind_has_a_role_and_a_protocol(ClientKind kind, string role, string protocol) =>
        Assert.Equal((role, protocol), ClientKindNames.Of(kind));

    [Theory]
    [InlineData("HlsPlayer", "player", "hls")]
    [InlineData("SrtPublisher", "publisher", "srt")]
    [InlineData("WebRtcPlayer", "player", "webrtc")]
    [InlineData("Player", "client", "player")]
    [InlineData("Odd", "client", "odd")]
    public void A_new_kind_is_named_from_its_name(string name, string role, string protocol) =>
        Assert.Equal((role, protocol), ClientKindNames.Parse(name));

    [Fact]
    public void Every_kind_of_today_is_a_publisher_player_connecting_client_or_link()
    {
        foreach (var kind in Enum.GetValues<ClientKind>())
        {
            Assert.Contains(ClientKindNames.Of(kind).Role, new[] { "publisher", "player", "connecting", "link-out", "link-in" });
        }
    }

    [Fact]
    public void Media_links_are_neither_players_nor_publishers()
    {
        Assert.Equal(("link-out", "link"), ClientKindNames.Of(ClientKind.LinkSender));
        Assert.Equal(("link-in", "link"), ClientKindNames.Of(ClientKind.LinkReceiver));
        Assert.DoesNotContain("link", ClientKindNames.PlayerProtocols);
        Assert.DoesNotContain("link", ClientKindNames.PublisherProtocols);
    }

    [Fact]
    public void Protocols_are_listed_once_per_role()
    {
        Assert.Equal(["rtmp"], ClientKindNames.PublisherProtocols);
        Assert.Contains("rtmp", ClientKindNames.PlayerProtocols);
        Assert.Contains("flv", ClientKindNames.PlayerProtocols);
        Assert.Equal(ClientKindNames.PlayerProtocols.Count, ClientKindNames.PlayerProtocols.Distinct().Count());
        Assert.Equal(ClientKindNames.Protocols.Count, ClientKindNames.Protocols.Distinct().Count());
    }
}
