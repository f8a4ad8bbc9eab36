using Platform.Streams.Telemetry;

namespace Platform.Streams.Tests.Telemetry;

public class KickReasonsTests
{
    [Theory]
    [InlineData("kicked by operator", "operator")]
    [InlineData("stopped by operator", "operator")]
    [InlineData("server stopping", "shutdown")]
    [InlineData("reader took nothing for 20 s", "slow_reader")]
    [InlineData("send took over 10 s", "send_timeout")]
    [InlineData("send failed: Connection reset by peer", "send_failed")]
    [InlineData("no publisher for 30 s", "no_publisher")]
    [InlineData("stream closed", "stream_closed")]
    [InlineData("playback ended", "other")]
    [InlineData("", "other")]
    [InlineData(null, "other")]
    public void Free_text_reasons_fall_into_a_few_values(string? reason, string expected) =>
        Assert.Equal(expected, KickReasons.Classify(reason));

    [Fact]
    public void Every_value_is_listed_once()
    {
        Assert.Equal(KickReasons.All.Count, KickReasons.All.Distinct().Count());
        Assert.Contains(KickReasons.Other, KickReasons.All);
    }
}
