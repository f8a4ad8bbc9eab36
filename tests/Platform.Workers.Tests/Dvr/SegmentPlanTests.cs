using Platform.Streams.Hub;
using Platform.Workers.Dvr;

namespace Platform.Workers.Tests.Dvr;

public sealed class SegmentPlanTests
{
    private static readonly TimeSpan Ten = TimeSpan.FromSeconds(10);

    [Fact]
    public void Session_plan_never_cuts()
    {
        var plan = new SegmentPlan(DvrPlan.Session, TimeSpan.Zero);
        for (uint ts = 0; ts < 100_000; ts += 1000)
        {
            Assert.False(plan.ShouldCut(FrameKind.Video, ts, isKeyFrame: true));
            Assert.False(plan.ShouldCut(FrameKind.Audio, ts + 10, isKeyFrame: false));
        }
    }

    [Fact]
    public void Segment_plan_with_video_cuts_at_the_first_keyframe_once_the_duration_is_reached()
    {
        var plan = new SegmentPlan(DvrPlan.Segment, Ten);
        Assert.False(plan.ShouldCut(FrameKind.Data, 0, false));
        Assert.False(plan.ShouldCut(FrameKind.Video, 0, isKeyFrame: true, isSequenceHeader: true));
        Assert.False(plan.ShouldCut(FrameKind.Video, 1000, isKeyFrame: true)); // segment starts here
        Assert.False(plan.ShouldCut(FrameKind.Audio, 11_500, false)); // audio never cuts a video stream
        Assert.False(plan.ShouldCut(FrameKind.Video, 10_999, isKeyFrame: true)); // 9.999 s: not yet
        Assert.False(plan.ShouldCut(FrameKind.Video, 11_000, isKeyFrame: false)); // due, but not a keyframe
        Assert.False(plan.ShouldCut(FrameKind.Video, 12_000, isKeyFrame: true, isSequenceHeader: true));
        Assert.True(plan.ShouldCut(FrameKind.Video, 12_500, isKeyFrame: true)); // next segment starts at 12.5 s
        Assert.False(plan.ShouldCut(FrameKind.Video, 22_000, isKeyFrame: true));
        Assert.True(plan.ShouldCut(FrameKind.Video, 22_500, isKeyFrame: true));
    }

    [Fact]
    public void Segment_plan_waits_for_the_first_keyframe_to_start_when_video_is_declared()
    {
        var plan = new SegmentPlan(DvrPlan.Segment, Ten, hasVideo: true);
        Assert.False(plan.ShouldCut(FrameKind.Audio, 0, false));
        Assert.False(plan.ShouldCut(FrameKind.Video, 5000, isKeyFrame: true)); // the start, not at 0
        Assert.False(plan.ShouldCut(FrameKind.Video, 14_000, isKeyFrame: true));
        Assert.True(plan.ShouldCut(FrameKind.Video, 15_000, isKeyFrame: true));
    }

    [Fact]
    public void Audio_only_segment_plan_cuts_at_any_audio_frame_past_the_duration()
    {
        var plan = new SegmentPlan(DvrPlan.Segment, Ten);
        Assert.False(plan.ShouldCut(FrameKind.Audio, 500, isKeyFrame: false, isSequenceHeader: true));
        Assert.False(plan.ShouldCut(FrameKind.Audio, 500, false)); // starts at once
        Assert.False(plan.ShouldCut(FrameKind.Audio, 10_499, false));
        Assert.True(plan.ShouldCut(FrameKind.Audio, 10_523, false));
        Assert.False(plan.ShouldCut(FrameKind.Audio, 20_000, false));
        Assert.True(plan.ShouldCut(FrameKind.Audio, 20_523, false));
        Assert.False(plan.HasVideo);
    }

    [Fact]
    public void Cuts_across_the_32_bit_timestamp_wrap_and_ignores_steps_back()
    {
        var plan = new SegmentPlan(DvrPlan.Segment, Ten);
        Assert.False(plan.ShouldCut(FrameKind.Video, uint.MaxValue - 4999, isKeyFrame: true));
        Assert.False(plan.ShouldCut(FrameKind.Video, uint.MaxValue - 9000, isKeyFrame: true)); // back in time
        Assert.False(plan.ShouldCut(FrameKind.Video, 4000, isKeyFrame: true)); // 9 s after the start
        Assert.True(plan.ShouldCut(FrameKind.Video, 5000, isKeyFrame: true)); // 10 s
    }

    [Fact]
    public void Reset_starts_a_new_segment_at_the_next_start_frame()
    {
        var plan = new SegmentPlan(DvrPlan.Segment, Ten);
        Assert.False(plan.ShouldCut(FrameKind.Video, 0, isKeyFrame: true));
        plan.Reset();
        Assert.False(plan.ShouldCut(FrameKind.Video, 50_000, isKeyFrame: true));
        Assert.False(plan.ShouldCut(FrameKind.Video, 59_000, isKeyFrame: true));
        Assert.True(plan.ShouldCut(FrameKind.Video, 60_000, isKeyFrame: true));
    }

    [Fact]
    public void Rejects_an_empty_segment_duration()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentPlan(DvrPlan.Segment, TimeSpan.Zero));
    }
}
