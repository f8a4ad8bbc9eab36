using Platform.Streams.Hub;

namespace Platform.Streams.Tests;

public class TimestampCorrectorTests
{
    [Fact]
    public void Full_starts_at_zero_and_keeps_steps()
    {
        var c = new TimestampCorrector(JitterMode.Full);
        Assert.Equal(0u, c.Correct(FrameKind.Video, 5000));
        Assert.Equal(40u, c.Correct(FrameKind.Video, 5040));
        Assert.Equal(23u, c.Correct(FrameKind.Audio, 5023));
        Assert.Equal(80u, c.Correct(FrameKind.Video, 5080));
    }

    [Fact]
    public void Full_replaces_backward_steps_and_jumps_by_the_last_good_step()
    {
        var c = new TimestampCorrector(JitterMode.Full);
        c.Correct(FrameKind.Video, 1000);
        c.Correct(FrameKind.Video, 1040);
        Assert.Equal(80u, c.Correct(FrameKind.Video, 900));      // backwards
        Assert.Equal(120u, c.Correct(FrameKind.Video, 900_000)); // huge jump
        Assert.Equal(160u, c.Correct(FrameKind.Video, 900_040)); // continues from the new base
    }

    [Fact]
    public void Full_survives_32_bit_wrap()
    {
        var c = new TimestampCorrector(JitterMode.Full);
        Assert.Equal(0u, c.Correct(FrameKind.Video, uint.MaxValue - 39));
        Assert.Equal(40u, c.Correct(FrameKind.Video, 0));
        Assert.Equal(80u, c.Correct(FrameKind.Video, 40));
    }

    [Fact]
    public void Full_aligns_a_track_based_far_from_the_other()
    {
        var c = new TimestampCorrector(JitterMode.Full);
        Assert.Equal(0u, c.Correct(FrameKind.Video, 10));
        Assert.Equal(40u, c.Correct(FrameKind.Video, 50));
        // Audio stamped ~27 hours away from video (a camera with two clocks).
        Assert.Equal(40u, c.Correct(FrameKind.Audio, 100_000_000));
        Assert.Equal(63u, c.Correct(FrameKind.Audio, 100_000_023));
        Assert.Equal(80u, c.Correct(FrameKind.Video, 90));
    }

    [Fact]
    public void Output_is_monotonic_per_track_in_zero_mode()
    {
        var c = new TimestampCorrector(JitterMode.Zero);
        Assert.Equal(0u, c.Correct(FrameKind.Audio, 3000));
        Assert.Equal(100u, c.Correct(FrameKind.Audio, 3100));
        Assert.Equal(100u, c.Correct(FrameKind.Audio, 2000));
    }

    [Fact]
    public void Off_passes_through()
    {
        var c = new TimestampCorrector(JitterMode.Off);
        Assert.Equal(3000u, c.Correct(FrameKind.Audio, 3000));
        Assert.Equal(10u, c.Correct(FrameKind.Audio, 10));
    }

    [Fact]
    public void A_new_publisher_continues_after_the_previous_output()
    {
        var c = new TimestampCorrector(JitterMode.Full);
        c.Correct(FrameKind.Video, 0);
        c.Correct(FrameKind.Video, 40);
        c.Restart();
        Assert.Equal(80u, c.Correct(FrameKind.Video, 123_456)); // one frame (40 ms) after the last
        Assert.Equal(120u, c.Correct(FrameKind.Video, 123_496));
    }
}
