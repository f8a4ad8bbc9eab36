using Platform.Streams;
using Platform.Workers.Dvr;

namespace Platform.Workers.Tests.Dvr;

public sealed class DvrPathTemplateTests
{
    private const string Root = "/srv/platform";
    private static readonly DateTimeOffset Time = new(2024, 3, 5, 7, 8, 9, 42, TimeSpan.Zero);

    [Theory]
    [InlineData("./data/dvr/[app]/[stream].[2006][01][02]-[15][04][05].flv", "/srv/platform/data/dvr/live/cam.20240305-070809.flv")]
    [InlineData("data/[vhost]/[app]/[stream]-[timestamp].flv", "/srv/platform/data/__defaultVhost__/live/cam-1709622489042.flv")]
    [InlineData("[stream].[15][04][05].[999].flv", "/srv/platform/cam.070809.042.flv")]
    [InlineData("/srv/platform/abs/[app]/[stream].flv", "/srv/platform/abs/live/cam.flv")]
    [InlineData("[app]/[unknown]-[stream].flv", "/srv/platform/live/[unknown]-cam.flv")]
    [InlineData("[app]/[[stream]].flv", "/srv/platform/live/[cam].flv")]
    [InlineData("[app]/[stream", "/srv/platform/live/[stream")]
    public void Expands_golden_templates(string template, string expected)
    {
        Assert.Equal(expected, DvrPathTemplate.Expand(template, Root, StreamKey.DefaultVhost, "live", "cam", Time));
    }

    [Fact]
    public void Uses_utc_whatever_the_offset_of_the_time()
    {
        var local = new DateTimeOffset(2024, 3, 5, 23, 30, 0, TimeSpan.FromHours(-5));
        Assert.Equal(
            "/srv/platform/20240306-043000.flv",
            DvrPathTemplate.Expand("[2006][01][02]-[15][04][05].flv", Root, "v", "a", "s", local));
    }

    [Fact]
    public void Accepts_a_stream_key_and_a_root_with_a_trailing_slash()
    {
        var key = new StreamKey("v", "live", "cam");
        Assert.Equal("/srv/platform/live/cam.flv", DvrPathTemplate.Expand("[app]/[stream].flv", Root + "/", key, Time));
    }

    [Fact]
    public void Keeps_dot_dot_that_stays_inside_the_root()
    {
        Assert.Equal("/srv/platform/cam.flv", DvrPathTemplate.Expand("[app]/../[stream].flv", Root, "v", "live", "cam", Time));
    }

    [Theory]
    [InlineData("../[stream].flv", "live", "cam")]
    [InlineData("/etc/[stream].flv", "live", "cam")]
    [InlineData("/srv/platform-other/[stream].flv", "live", "cam")]
    [InlineData("[app]/[stream].flv", "..", "..")]
    [InlineData("[app]/[stream].flv", "live", "../../../etc/passwd")]
    [InlineData("[app]/[stream].flv", "/etc", "passwd")]
    [InlineData("[app]/../../[stream].flv", "live", "cam")]
    [InlineData(".", "live", "cam")]
    [InlineData("./[app]/..", "live", "cam")]
    [InlineData("[stream]", "live", "..")]
    [InlineData("[app]/[stream].flv", "live", "cam\0.flv")]
    public void Rejects_paths_that_escape_the_root(string template, string app, string stream)
    {
        Assert.Throws<ArgumentException>(() => DvrPathTemplate.Expand(template, Root, "v", app, stream, Time));
    }

    [Theory]
    [InlineData("[app]/[stream].[2006][01][02]-[15][04][05]-[999].flv", "live", "cam")]
    [InlineData("[app]/[stream].[2006][01][02]-[15][04][05]-[999].flv", "live", "cam.2024-a.b")]
    [InlineData("./data/dvr/[app]/[stream].[2006][01][02]-[15][04][05].flv", "my-app", "cam-1")]
    [InlineData("data/[vhost]/[app]/[stream]-[timestamp].flv", "live", "cam")]
    [InlineData("[app]/../[stream]/[stream]-[app].flv", "live", "cam")]
    [InlineData("/srv/platform/abs/[app]/[unknown]-[stream].flv", "live", "cam")]
    public void Matching_an_expanded_name_gives_back_the_stream(string template, string app, string stream)
    {
        var path = DvrPathTemplate.Expand(template, Root, "vh", app, stream, Time);
        Assert.True(DvrPathTemplate.TryMatch(template, Root, path, out var vhost, out var matchedApp, out var matchedStream), path);
        Assert.Equal(template.Contains("[vhost]", StringComparison.Ordinal) ? "vh" : null, vhost);
        Assert.Equal(app, matchedApp);
        Assert.Equal(stream, matchedStream);
    }

    [Theory]
    [InlineData("[app]/[stream].[2006][01][02].flv", "/srv/platform/live/cam.2024030.flv")] // a digit short
    [InlineData("[app]/[stream].[2006][01][02].flv", "/srv/platform/live/cam.20240305.flv.tmp")]
    [InlineData("[app]/[stream].[2006][01][02].flv", "/srv/platform/cam.20240305.flv")] // no app folder
    [InlineData("[app]/[stream].[2006][01][02].flv", "/srv/other/live/cam.20240305.flv")] // another root
    [InlineData("[app]/[stream]-[stream].flv", "/srv/platform/live/cam-cat.flv")] // the same variable differs
    [InlineData("rec/[stream].flv", "/srv/platform/live/cam.flv")]
    public void A_name_the_template_cannot_make_does_not_match(string template, string path)
    {
        Assert.False(DvrPathTemplate.TryMatch(template, Root, path, out _, out _, out _));
    }
}
