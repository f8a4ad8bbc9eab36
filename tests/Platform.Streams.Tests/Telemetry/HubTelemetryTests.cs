using Platform.Streams.Hub;
using Platform.Streams.Telemetry;

namespace Platform.Streams.Tests.Telemetry;

public class HubTelemetryTests
{
    [Fact]
    public void Totals_keep_what_freed_hubs_carried_so_they_never_go_down()
    {
        var registry = new HubRegistry();
        var first = registry.Acquire(new StreamKey("v", "live", "a"));
        Assert.True(first.BeginPublish("p1"));
        first.Write(FrameKind.Video, 0, Frames.KeyFrame(100));
        first.Write(FrameKind.Video, 40, Frames.InterFrame(50));
        first.Stats.CountOut(700);
        Assert.Equal(new HubTotals(2, 150, 700), registry.Totals());

        first.EndPublish("p1");
        registry.Release(first);
        Assert.Equal(0, registry.Count);
        Assert.Equal(new HubTotals(2, 150, 700), registry.Totals());

        var second = registry.Acquire(new StreamKey("v", "live", "b"));
        Assert.True(second.BeginPublish("p2"));
        second.Write(FrameKind.Video, 0, Frames.KeyFrame(30));
        Assert.Equal(new HubTotals(3, 180, 700), registry.Totals());
        second.EndPublish("p2");
        registry.Release(second);
    }

    [Fact]
    public void A_slow_readers_drops_reach_the_node_totals_when_the_episode_ends()
    {
        var droppedBefore = ReaderDrops.DroppedFrames;
        var overflowsBefore = ReaderDrops.Overflows;
        var registry = new HubRegistry();
        var hub = registry.Acquire(new StreamKey("v", "live", "drops"));
        Assert.True(hub.BeginPublish("p"));
        var slow = new ReaderQueue("slow", new ReaderOptions { MaxQueuedFrames = 4 });
        hub.AddReader(slow);

        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        for (var i = 1; i <= 6; i++)
        {
            hub.Write(FrameKind.Video, (uint)(i * 40), Frames.InterFrame());
        }

        // The keyframe ends the skip: the episode's drops are reported at once.
        hub.Write(FrameKind.Video, 320, Frames.KeyFrame());
        Assert.True(slow.DroppedFrames > 0);
        Assert.True(ReaderDrops.DroppedFrames - droppedBefore >= slow.DroppedFrames, $"reported {ReaderDrops.DroppedFrames - droppedBefore} of {slow.DroppedFrames}");
        Assert.True(ReaderDrops.Overflows - overflowsBefore >= slow.Overflows);

        Frames.ReleaseAll(Frames.Drain(slow));
        hub.EndPublish("p");
        registry.Release(hub);
    }
}
