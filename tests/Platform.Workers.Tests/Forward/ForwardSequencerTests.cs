using Platform.Streams.Hub;
using Platform.Workers.Forward;

namespace Platform.Workers.Tests.Forward;

public sealed class ForwardSequencerTests
{
    private static (bool Sent, uint Timestamp) Map(ForwardSequencer s, FrameKind kind, uint timestamp, bool key = false, bool header = false) =>
        (s.TryMap(kind, timestamp, key, header, out var output), output);

    [Fact]
    public void Headers_go_first_at_zero_and_media_waits_for_a_keyframe()
    {
        var s = new ForwardSequencer();

        Assert.Equal((true, 0u), Map(s, FrameKind.Data, 50_000));
        Assert.Equal((true, 0u), Map(s, FrameKind.Video, 10, header: true));
        Assert.Equal((true, 0u), Map(s, FrameKind.Audio, 10, header: true));
        Assert.Equal((false, 0u), Map(s, FrameKind.Video, 50_000));
        Assert.Equal((false, 0u), Map(s, FrameKind.Audio, 50_010));
        Assert.False(s.Started);
        Assert.Equal((true, 0u), Map(s, FrameKind.Video, 50_040, key: true));
        Assert.True(s.Started);
        Assert.Equal((true, 13u), Map(s, FrameKind.Audio, 50_053));
        Assert.Equal((true, 40u), Map(s, FrameKind.Video, 50_080));
        Assert.Equal(2, s.Dropped);
    }

    [Fact]
    public void Audio_only_streams_start_at_once()
    {
        var s = new ForwardSequencer();

        Assert.Equal((true, 0u), Map(s, FrameKind.Audio, 7_000, header: true));
        Assert.Equal((true, 0u), Map(s, FrameKind.Audio, 7_023));
        Assert.Equal((true, 23u), Map(s, FrameKind.Audio, 7_046));
    }

    [Fact]
    public void Each_track_is_monotonic_and_never_negative()
    {
        var s = new ForwardSequencer();
        Map(s, FrameKind.Video, 0, header: true);
        Map(s, FrameKind.Video, 1_000, key: true);

        Assert.Equal((true, 0u), Map(s, FrameKind.Audio, 990));   // before the base: 0
        Assert.Equal((true, 40u), Map(s, FrameKind.Video, 1_040));
        Assert.Equal((true, 40u), Map(s, FrameKind.Video, 1_030)); // a step back is held
        Assert.Equal((true, 80u), Map(s, FrameKind.Video, 1_080));
        Assert.Equal((true, 80u), Map(s, FrameKind.Data, 1_080));  // metadata at the stream's current time
        Assert.Equal((true, 80u), Map(s, FrameKind.Video, 1_080, header: true));
    }

    [Fact]
    public void Timestamps_continue_across_the_32_bit_wrap()
    {
        var s = new ForwardSequencer();
        Map(s, FrameKind.Video, uint.MaxValue - 20, key: true);

        Assert.Equal((true, 40u), Map(s, FrameKind.Video, 19));
        Assert.Equal((true, 80u), Map(s, FrameKind.Video, 59));
    }

    [Fact]
    public void Video_after_audio_still_starts_on_a_keyframe()
    {
        var s = new ForwardSequencer();
        Assert.Equal((true, 0u), Map(s, FrameKind.Audio, 100));
        Assert.Equal((true, 0u), Map(s, FrameKind.Video, 100, header: true));
        Assert.Equal((false, 0u), Map(s, FrameKind.Video, 120));
        Assert.Equal((true, 43u), Map(s, FrameKind.Audio, 143));
        Assert.Equal((true, 60u), Map(s, FrameKind.Video, 160, key: true));
    }
}
