using Platform.Streams.Telemetry;

namespace Platform.Streams.Tests.Telemetry;

public class RateMeterTests
{
    private const long Frequency = 1000;

    [Fact]
    public void The_rate_is_the_average_since_the_previous_reading()
    {
        var meter = new RateMeter(startTotal: 1000, startTicks: 0, TimeSpan.FromSeconds(2), Frequency);

        // 250 000 bytes in 2 s = 1000 kbit/s.
        Assert.Equal(1000.0, meter.Sample(251_000, 2000), 6);

        // Then 125 000 bytes in 4 s = 250 kbit/s.
        Assert.Equal(250.0, meter.Sample(376_000, 6000), 6);
    }

    [Fact]
    public void A_reading_sooner_than_the_window_repeats_the_last_rate()
    {
        var meter = new RateMeter(0, 0, TimeSpan.FromSeconds(2), Frequency);
        Assert.Equal(0.0, meter.Sample(1_000_000, 500));
        Assert.Equal(500.0, meter.Sample(250_000, 4000), 6);
        Assert.Equal(500.0, meter.Sample(9_999_999, 4100), 6);

        // The early reading did not move the window: the next one measures from 4000.
        Assert.Equal(8.0, meter.Sample(252_000, 6000), 6);
    }

    [Fact]
    public void A_total_that_goes_down_gives_zero_not_a_negative_rate()
    {
        var meter = new RateMeter(10_000, 0, TimeSpan.FromSeconds(1), Frequency);
        Assert.Equal(0.0, meter.Sample(5_000, 1000));
    }
}
