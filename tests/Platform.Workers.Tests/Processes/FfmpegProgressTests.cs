using Platform.Workers.Processes;

namespace Platform.Workers.Tests.Processes;

public sealed class FfmpegProgressTests
{
    /// <summary>A block as ffmpeg 6 writes it with <c>-progress pipe:1</c>.</summary>
    private static string[] Block(long frame, long outTimeUs, long totalSize, string speed = "1.01x", string end = "continue") =>
    [
        $"frame={frame}",
        "fps=25.00",
        "stream_0_0_q=28.0",
        "bitrate=1024.3kbits/s",
        $"total_size={totalSize}",
        $"out_time_us={outTimeUs}",
        $"out_time_ms={outTimeUs}",
        "out_time=00:00:01.000000",
        "dup_frames=0",
        "drop_frames=0",
        $"speed={speed}",
        $"progress={end}",
    ];

    /// <summary>Feeds every line and returns, per line, whether it reported progress.</summary>
    private static List<bool> Feed(FfmpegProgress progress, IEnumerable<string> lines) => lines.Select(progress.Advanced).ToList();

    [Fact]
    public void A_block_that_grew_reports_progress_on_its_last_line_only()
    {
        var progress = new FfmpegProgress();
        Assert.Equal(-1, progress.OutTimeUs);
        var results = Feed(progress, Block(25, 1_000_000, 4096));

        Assert.Equal([.. Enumerable.Repeat(false, 11), true], results);
        Assert.Equal(25, progress.Frame);
        Assert.Equal(1_000_000, progress.OutTimeUs);
        Assert.Equal(4096, progress.TotalSize);
        Assert.Equal(1.01, progress.Speed, 3);
        Assert.Equal(1, progress.Blocks);
    }

    [Fact]
    public void A_block_where_nothing_grew_is_no_progress()
    {
        var progress = new FfmpegProgress();
        Assert.True(Feed(progress, Block(25, 1_000_000, 4096))[^1]);
        Assert.False(Feed(progress, Block(25, 1_000_000, 4096))[^1]);

        // Smaller values (a restarted counter) are not progress either.
        Assert.False(Feed(progress, Block(10, 500_000, 100))[^1]);
        Assert.Equal(25, progress.Frame);
        Assert.Equal(3, progress.Blocks);
    }

    [Theory]
    [InlineData("frame=26")]
    [InlineData("out_time_us=1000001")]
    [InlineData("out_time_ms=1000001")]
    [InlineData("total_size=4097")]
    public void Any_one_counter_that_grew_is_progress(string grown)
    {
        var progress = new FfmpegProgress();
        Feed(progress, Block(25, 1_000_000, 4096));
        Assert.False(progress.Advanced(grown));
        Assert.True(progress.Advanced("progress=continue"));
        Assert.False(progress.Advanced("progress=continue")); // the next block starts unchanged
    }

    [Fact]
    public void The_end_block_counts_as_well()
    {
        var progress = new FfmpegProgress();
        Assert.True(Feed(progress, Block(1, 40_000, 200, end: "end"))[^1]);
        Assert.Equal(1, progress.Blocks);
    }

    [Theory]
    [InlineData("speed=1.01x", 1.01)]
    [InlineData("speed= 0.5x", 0.5)]
    [InlineData("speed=12x", 12)]
    [InlineData("speed=N/A", 0)]
    public void Speed_is_read_without_its_x(string line, double expected)
    {
        var progress = new FfmpegProgress();
        progress.Advanced("speed=3x");
        progress.Advanced(line);
        Assert.Equal(expected, progress.Speed, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no equals sign")]
    [InlineData("=5")]
    [InlineData("frame=N/A")]
    [InlineData("out_time_us=-9223372036854775807")]
    [InlineData("unknown_key=99")]
    public void Other_lines_change_nothing(string line)
    {
        var progress = new FfmpegProgress();
        Assert.False(progress.Advanced(line));
        Assert.False(progress.Advanced("progress=continue"));
        Assert.Equal(-1, progress.Frame);
        Assert.Equal(-1, progress.OutTimeUs);
    }

    [Fact]
    public void Keys_and_values_are_trimmed()
    {
        var progress = new FfmpegProgress();
        Assert.False(progress.Advanced(" frame = 7 "));
        Assert.True(progress.Advanced("progress = continue"));
        Assert.Equal(7, progress.Frame);
    }
}
