using Platform.Media.Hls;

namespace Platform.Media.Tests.Hls;

public class SegmentCutterTests
{
    private readonly record struct Frame(bool IsVideo, bool IsKey, long Timestamp);

    [Fact]
    public void Normal_mode_cuts_at_the_first_keyframe_once_the_target_is_reached()
    {
        // Keyframes every 1.6 s from 0.2 s, target 2 s: the segment from 0.2 s reaches 2 s at 2.2 s, so it
        // ends at the keyframe of 3.4 s; the next one reaches it at 5.4 s, first keyframe 6.6 s.
        var cutter = new SegmentCutter(2000, hasVideo: true, firstSequence: 10);
        var cuts = Run(cutter, Stream(start: 200, end: 8000, gopMs: 1600));
        Assert.Equal([(10L, 200L), (11, 3400), (12, 6600)], cuts);
    }

    [Fact]
    public void Frames_before_the_first_keyframe_are_skipped_and_audio_never_cuts_a_video_stream()
    {
        var cutter = new SegmentCutter(1000, hasVideo: true);
        Assert.Equal(CutDecision.Skip, cutter.Offer(isVideo: false, isKeyFrame: true, 0));
        Assert.Equal(CutDecision.Skip, cutter.Offer(isVideo: true, isKeyFrame: false, 0));
        Assert.Equal(CutDecision.Cut, cutter.Offer(isVideo: true, isKeyFrame: true, 40));
        Assert.Equal(CutDecision.Continue, cutter.Offer(isVideo: false, isKeyFrame: true, 5000));
        Assert.Equal(CutDecision.Continue, cutter.Offer(isVideo: true, isKeyFrame: false, 5000));
        Assert.Equal(CutDecision.Cut, cutter.Offer(isVideo: true, isKeyFrame: true, 5040));
        Assert.Equal((1L, 5040L), (cutter.Sequence, cutter.SegmentStartMs));
    }

    [Fact]
    public void Audio_only_cuts_on_the_first_audio_frame_past_the_target()
    {
        var cutter = new SegmentCutter(1000, hasVideo: false);
        var frames = Enumerable.Range(0, 200).Select(i => new Frame(false, false, i * 23L));
        Assert.Equal([(0L, 0L), (1, 1012), (2, 2024), (3, 3036), (4, 4048)], Run(cutter, frames.Prepend(new Frame(true, true, 0))));
    }

    [Fact]
    public void Deterministic_mode_cuts_at_the_first_keyframe_past_each_multiple_and_numbers_by_interval()
    {
        // Keyframes at 0, 1.6, 3.2, 4.8, 6.4 and 8 s; target 2 s: 1.6 s stays in interval 0, 3.2 s opens
        // interval 1, 4.8 s interval 2, 6.4 s interval 3; 8 s opens 4 (an exact multiple).
        var cutter = new SegmentCutter(2000, hasVideo: true, deterministic: true);
        Assert.Equal([(0L, 0L), (1, 3200), (2, 4800), (3, 6400), (4, 8000)], Run(cutter, Stream(start: 0, end: 9000, gopMs: 1600)));
    }

    [Fact]
    public void Deterministic_cutters_joining_anywhere_agree_on_every_shared_segment()
    {
        var random = new Random(5);
        var frames = IrregularStream(random, start: 123_456, count: 3000);
        var reference = Run(new SegmentCutter(2000, hasVideo: true, deterministic: true), frames);
        Assert.True(reference.Count > 20);
        for (var join = 0; join < frames.Count; join += 1 + random.Next(60))
        {
            var cuts = Run(new SegmentCutter(2000, hasVideo: true, deterministic: true), frames.Skip(join));
            Assert.NotEmpty(cuts);
            var at = reference.IndexOf(cuts[0]);
            Assert.True(at >= 0, $"joined at frame {join}: first segment {cuts[0]} is not one of the reference's");
            Assert.Equal(reference[at..], cuts);
            // Nothing provable was lost: the joiner starts at the first boundary past the interval of the first
            // video frame it saw (or on that interval's own boundary if it falls exactly on a multiple).
            var firstVideo = frames.Skip(join).First(f => f.IsVideo).Timestamp;
            Assert.Equal(
                reference.First(c => c.Start >= firstVideo && (c.Sequence > firstVideo / 2000 || c.Start % 2000 == 0)),
                cuts[0]);
        }
    }

    [Fact]
    public void Deterministic_numbers_skip_an_interval_without_keyframes()
    {
        var cutter = new SegmentCutter(2000, hasVideo: true, deterministic: true);
        Assert.Equal([(0L, 0L), (2, 5000)], Run(cutter, [new(true, true, 0), new(true, false, 2500), new(true, true, 5000)]));
    }

    [Fact]
    public void Deterministic_first_segment_waits_for_a_provable_boundary()
    {
        var cutter = new SegmentCutter(2000, hasVideo: true, deterministic: true);
        Assert.Equal(CutDecision.Skip, cutter.Offer(true, true, 2500)); // maybe not the first keyframe of [2 s, 4 s)
        Assert.Equal(CutDecision.Skip, cutter.Offer(true, true, 3500));
        Assert.Equal(CutDecision.Cut, cutter.Offer(true, true, 4100)); // first keyframe seen past 4 s
        Assert.Equal(2, cutter.Sequence);

        var exact = new SegmentCutter(2000, hasVideo: true, deterministic: true);
        Assert.Equal(CutDecision.Skip, exact.Offer(false, false, 5990));
        Assert.Equal(CutDecision.Cut, exact.Offer(true, true, 6000)); // an exact multiple is always a boundary
        Assert.Equal(3, exact.Sequence);
    }

    [Fact]
    public void Deterministic_audio_only_and_negative_timestamps()
    {
        var cutter = new SegmentCutter(1000, hasVideo: false, deterministic: true);
        Assert.Equal(CutDecision.Skip, cutter.Offer(false, false, -1500));
        Assert.Equal(CutDecision.Cut, cutter.Offer(false, false, -977)); // interval -1 follows -2
        Assert.Equal(-1, cutter.Sequence);
        Assert.Equal(CutDecision.Continue, cutter.Offer(false, false, -1));
        Assert.Equal(CutDecision.Cut, cutter.Offer(false, false, 22));
        Assert.Equal(0, cutter.Sequence);
    }

    private static List<(long Sequence, long Start)> Run(SegmentCutter cutter, IEnumerable<Frame> frames)
    {
        var cuts = new List<(long, long)>();
        foreach (var frame in frames)
        {
            if (cutter.Offer(frame.IsVideo, frame.IsKey, frame.Timestamp) == CutDecision.Cut)
            {
                cuts.Add((cutter.Sequence, cutter.SegmentStartMs));
            }
        }

        return cuts;
    }

    /// <summary>25 fps video with a keyframe every <paramref name="gopMs"/>, and AAC-paced audio between.</summary>
    private static IEnumerable<Frame> Stream(long start, long end, long gopMs)
    {
        var audio = start;
        for (var t = start; t < end; t += 40)
        {
            for (; audio <= t; audio += 23)
            {
                yield return new Frame(false, false, audio);
            }

            yield return new Frame(true, (t - start) % gopMs == 0, t);
        }
    }

    /// <summary>Video at jittery frame times with keyframes at random intervals of 0.4-2 s, interleaved with audio.</summary>
    private static List<Frame> IrregularStream(Random random, long start, int count)
    {
        var frames = new List<Frame>();
        var t = start;
        var nextKey = t;
        for (var i = 0; i < count; i++)
        {
            var key = t >= nextKey;
            if (key)
            {
                nextKey = t + 400 + random.Next(1600);
            }

            frames.Add(new Frame(false, false, t - random.Next(30)));
            frames.Add(new Frame(true, key, t));
            t += 30 + random.Next(20);
        }

        return frames;
    }
}
