using Platform.Streams;
using Platform.Workers.Forward;

namespace Platform.Workers.Tests.Forward;

public sealed class ForwardDestinationTests
{
    private static readonly StreamKey Cam = new(StreamKey.DefaultVhost, "live", "cam");

    [Fact]
    public void A_url_is_split_the_way_a_publisher_sends_it()
    {
        var d = ForwardDestination.TryParse("rtmp://10.0.0.5:1936/fwd/cam?token=abc&vhost=v1", out var problem);

        Assert.Null(problem);
        Assert.NotNull(d);
        Assert.Equal(("10.0.0.5", 1936, "fwd", "cam", "token=abc&vhost=v1"), (d.Host, d.Port, d.App, d.Stream, d.Query));
        Assert.Equal("rtmp://10.0.0.5:1936/fwd", d.TcUrl);
        Assert.Equal("cam?token=abc&vhost=v1", d.PublishName);
        Assert.Equal("rtmp://10.0.0.5:1936/fwd/cam?token=abc&vhost=v1", d.Url);
        Assert.Equal("rtmp://10.0.0.5:1936/fwd/cam?token=***&vhost=v1", d.Redacted);
    }

    [Theory]
    [InlineData("rtmp://example.com/live/s", "example.com", 1935, "live", "s")]
    [InlineData("RTMP://example.com:19350/a/b/c/s", "example.com", 19350, "a/b/c", "s")]
    [InlineData("rtmp://[::1]:1937/live/s", "::1", 1937, "live", "s")]
    [InlineData("rtmp://[::1]/live/s", "::1", 1935, "live", "s")]
    public void Hosts_ports_and_apps_with_slashes(string url, string host, int port, string app, string stream)
    {
        var d = ForwardDestination.TryParse(url, out _);

        Assert.NotNull(d);
        Assert.Equal((host, port, app, stream, string.Empty), (d.Host, d.Port, d.App, d.Stream, d.Query));
    }

    [Fact]
    public void An_ipv6_host_is_bracketed_in_the_tc_url() =>
        Assert.Equal("rtmp://[::1]:1935/live", ForwardDestination.TryParse("rtmp://[::1]/live/s", out _)!.TcUrl);

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("http://host/live/s", "is not an rtmp:// URL")]
    [InlineData("rtmp://host", "has no host or no path")]
    [InlineData("rtmp:///live/s", "has no host or no path")]
    [InlineData("rtmp://host/live", "needs both an app and a stream name")]
    [InlineData("rtmp://host/live/", "needs both an app and a stream name")]
    [InlineData("rtmp://host//s", "needs both an app and a stream name")]
    [InlineData("rtmp://host/a//s", "has an empty segment in its app")]
    [InlineData("rtmp://host:0/live/s", "invalid host or port")]
    [InlineData("rtmp://host:70000/live/s", "invalid host or port")]
    [InlineData("rtmp://host:x/live/s", "invalid host or port")]
    [InlineData("rtmp://:1935/live/s", "invalid host or port")]
    [InlineData("rtmp://user:pw@host/live/s", "credentials before the host")]
    [InlineData("rtmp://host/live/s s", "spaces or control characters")]
    public void Invalid_urls_are_refused_with_a_reason(string url, string reason)
    {
        Assert.Null(ForwardDestination.TryParse(url, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_does_not_show_credentials()
    {
        Assert.Null(ForwardDestination.TryParse("http://host/live/s?secret=hunter2", out var problem));
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_take_the_streams_names_and_the_engine()
    {
        var rendition = new StreamKey("v1", "live", "cam_low");

        Assert.Equal("rtmp://b:1935/fwd/cam?vhost=__defaultVhost__", ForwardDestination.Resolve("rtmp://b:1935/fwd/[stream]?vhost=[vhost]", Cam, null));
        Assert.Equal("rtmp://b/live/cam_low-low", ForwardDestination.Resolve(" rtmp://b/[app]/[stream]-[engine] ", rendition, "low"));
        Assert.Equal("rtmp://b/live/cam-", ForwardDestination.Resolve("rtmp://b/[app]/[stream]-[engine]", Cam, null));
    }

    [Fact]
    public void Templates_are_substituted_in_one_pass() =>
        Assert.Equal("rtmp://b/live/cam[engine]-low", ForwardDestination.Resolve("rtmp://b/[app]/[stream]-[engine]", new StreamKey("v", "live", "cam[engine]"), "low"));

    [Fact]
    public void A_template_can_resolve_to_an_invalid_url()
    {
        var url = ForwardDestination.Resolve("rtmp://b/[engine]/[stream]", Cam, null);

        Assert.Null(ForwardDestination.TryParse(url, out var problem));
        Assert.Contains("needs both an app and a stream name", problem, StringComparison.Ordinal);
    }
}
