using Platform.Streams.Hub;

namespace Platform.Streams.Tests;

public class StreamHubTests
{
    private static readonly StreamKey Key = new("v", "live", "s1");

    private static StreamHub Publishing(HubRegistry registry, HubOptions? options = null)
    {
        var hub = registry.Acquire(Key);
        Assert.True(hub.BeginPublish("pub"));
        return hub;
    }

    [Fact]
    public void A_late_reader_gets_headers_and_the_cached_gop_starting_at_a_keyframe()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        hub.Write(FrameKind.Video, 0, Frames.VideoHeader());
        hub.Write(FrameKind.Audio, 0, Frames.AudioHeader());
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        hub.Write(FrameKind.Video, 40, Frames.InterFrame());
        hub.Write(FrameKind.Video, 80, Frames.KeyFrame());
        hub.Write(FrameKind.Audio, 90, Frames.Audio());
        hub.Write(FrameKind.Video, 120, Frames.InterFrame());

        var reader = new ReaderQueue("r", new ReaderOptions());
        hub.AddReader(reader);
        var frames = Frames.Drain(reader);

        Assert.Equal(5, frames.Count);
        Assert.True(frames[0].IsSequenceHeader && frames[0].Kind == FrameKind.Video);
        Assert.True(frames[1].IsSequenceHeader && frames[1].Kind == FrameKind.Audio);
        Assert.True(frames[2].IsKeyFrame);
        Assert.Equal(80u, frames[2].Timestamp);
        Assert.Equal([80u, 90u, 120u], frames.Skip(2).Select(f => f.Timestamp));
        Frames.ReleaseAll(frames);
    }

    [Fact]
    public void Every_reader_gets_the_same_shared_frame_and_its_bytes_are_built_once()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        var a = new ReaderQueue("a", new ReaderOptions());
        var b = new ReaderQueue("b", new ReaderOptions());
        hub.AddReader(a);
        hub.AddReader(b);
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame(1000));

        var fa = Frames.Drain(a);
        var fb = Frames.Drain(b);
        Assert.Same(fa[0], fb[0]);
        Assert.Same(fa[0].RtmpChunks, fb[0].RtmpChunks);
        Assert.Same(fa[0].FlvTag, fb[0].FlvTag);
        Frames.ReleaseAll(fa);
        Frames.ReleaseAll(fb);
    }

    [Fact]
    public void A_full_queue_drops_to_the_next_keyframe_and_keeps_headers()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        var slow = new ReaderQueue("slow", new ReaderOptions { MaxQueuedFrames = 4 });
        var fast = new ReaderQueue("fast", new ReaderOptions());
        hub.AddReader(slow);
        hub.AddReader(fast);

        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        for (var i = 1; i <= 6; i++)
        {
            hub.Write(FrameKind.Video, (uint)(i * 40), Frames.InterFrame());
        }

        hub.Write(FrameKind.Video, 280, Frames.VideoHeader());
        hub.Write(FrameKind.Video, 300, Frames.InterFrame());
        hub.Write(FrameKind.Video, 320, Frames.KeyFrame());
        hub.Write(FrameKind.Video, 360, Frames.InterFrame());

        var slowFrames = Frames.Drain(slow);
        Assert.True(slow.Overflows >= 1);
        Assert.True(slow.DroppedFrames > 0);
        // After the drop: the sequence header (kept), then the keyframe and what follows.
        Assert.Equal([280u, 320u, 360u], slowFrames.Select(f => f.Timestamp));
        Assert.True(slowFrames[1].IsKeyFrame);

        var fastFrames = Frames.Drain(fast);
        Assert.Equal(11, fastFrames.Count);
        Assert.Equal(0, fast.DroppedFrames);
        Frames.ReleaseAll(slowFrames);
        Frames.ReleaseAll(fastFrames);
    }

    [Fact]
    public void A_reader_that_takes_nothing_for_too_long_is_closed()
    {
        var time = new ManualTime();
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        var reader = new ReaderQueue("r", new ReaderOptions { MaxLag = TimeSpan.FromSeconds(5) }, time);
        hub.AddReader(reader);
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        time.Advance(TimeSpan.FromSeconds(6));
        hub.Write(FrameKind.Video, 40, Frames.InterFrame());

        Assert.True(reader.IsClosed);
        Assert.Contains("took nothing", reader.CloseReason, StringComparison.Ordinal);
        Assert.Equal(0, reader.Count);
    }

    [Fact]
    public void Releasing_the_last_user_frees_the_hub_and_every_cached_frame()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        var header = Frames.VideoHeader();
        var key = Frames.KeyFrame();
        header.AddRef();
        key.AddRef();
        hub.Write(FrameKind.Video, 0, header);
        hub.Write(FrameKind.Video, 0, key);
        Assert.Equal(2, key.RefCount);

        hub.EndPublish("pub");
        registry.Release(hub);

        Assert.Equal(0, registry.Count);
        Assert.Equal(1, key.RefCount);
        Assert.Equal(1, header.RefCount);
        key.Release();
        header.Release();
    }

    [Fact]
    public void Readers_stay_across_a_republish_and_timestamps_keep_growing()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        var reader = new ReaderQueue("r", new ReaderOptions());
        registry.Acquire(Key);
        hub.AddReader(reader);
        hub.Write(FrameKind.Video, 1000, Frames.KeyFrame());
        hub.Write(FrameKind.Video, 1040, Frames.InterFrame());
        hub.EndPublish("pub");
        Assert.Equal(1, registry.Count);

        Assert.True(hub.BeginPublish("pub2"));
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        var frames = Frames.Drain(reader);
        Assert.Equal(3, frames.Count);
        Assert.True(frames[2].Timestamp > frames[1].Timestamp);
        Frames.ReleaseAll(frames);
    }

    [Fact]
    public void A_second_publisher_on_the_same_hub_is_refused()
    {
        var registry = new HubRegistry();
        var hub = Publishing(registry);
        Assert.False(hub.BeginPublish("other"));
        Assert.Equal("pub", hub.PublisherId);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

public class MergedWriteTests
{
    [Fact]
    public async Task A_frame_held_for_a_merged_write_is_delivered_even_if_no_other_frame_follows()
    {
        var registry = new HubRegistry(_ => new HubOptions { Reader = new ReaderOptions { WriteCoalesce = TimeSpan.FromMilliseconds(200) } });
        var hub = registry.Acquire(new StreamKey("v", "live", "slow"));
        Assert.True(hub.BeginPublish("pub"));
        var reader = new ReaderQueue("r", hub.Options.Reader);
        hub.AddReader(reader);
        var waiting = reader.WaitAsync();
        Assert.False(waiting.IsCompleted);

        // Just joined: the interval has not passed, so this frame does not wake the reader by itself.
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        Assert.False(waiting.IsCompleted);

        var woken = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(woken);
        var frames = Frames.Drain(reader);
        Assert.Single(frames);
        Frames.ReleaseAll(frames);
    }

    [Fact]
    public async Task The_flush_keeps_each_readers_own_merge_window()
    {
        var registry = new HubRegistry(_ => new HubOptions { Reader = new ReaderOptions { WriteCoalesce = TimeSpan.FromMilliseconds(50) } });
        var hub = registry.Acquire(new StreamKey("v", "live", "windows"));
        Assert.True(hub.BeginPublish("pub"));
        var player = new ReaderQueue("player", hub.Options.Reader);
        var packager = new ReaderQueue("packager", hub.Options.Reader with { WriteCoalesce = TimeSpan.FromSeconds(3) });
        hub.AddReader(player);
        hub.AddReader(packager);
        var playerWaiting = player.WaitAsync();
        var packagerWaiting = packager.WaitAsync();

        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        Assert.True(await playerWaiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(300);
        Assert.False(packagerWaiting.IsCompleted, "a reader merging over 3 s was woken after 300 ms");
        Assert.True(await packagerWaiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Frames.ReleaseAll(Frames.Drain(player));
        Frames.ReleaseAll(Frames.Drain(packager));
    }

    [Fact]
    public async Task With_no_coalescing_a_waiting_reader_wakes_on_the_video_frame()
    {
        var registry = new HubRegistry(_ => new HubOptions { Reader = new ReaderOptions { WriteCoalesce = TimeSpan.Zero } });
        var hub = registry.Acquire(new StreamKey("v", "live", "fast"));
        Assert.True(hub.BeginPublish("pub"));
        var reader = new ReaderQueue("r", hub.Options.Reader);
        hub.AddReader(reader);
        var waiting = reader.WaitAsync();
        hub.Write(FrameKind.Video, 0, Frames.KeyFrame());
        Assert.True(waiting.IsCompleted);
        Assert.True(await waiting);
        Frames.ReleaseAll(Frames.Drain(reader));
    }
}
