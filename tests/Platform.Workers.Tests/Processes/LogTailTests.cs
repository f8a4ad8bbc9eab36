using Platform.Workers.Processes;

namespace Platform.Workers.Tests.Processes;

public sealed class LogTailTests
{
    [Fact]
    public void Only_the_last_lines_are_kept_but_all_are_counted()
    {
        var tail = new LogTail(3);
        for (var i = 1; i <= 10; i++)
        {
            tail.Add($"line {i}");
        }

        Assert.Equal(["line 8", "line 9", "line 10"], tail.Lines());
        Assert.Equal(["line 9", "line 10"], tail.Lines(2));
        Assert.Equal(["line 8", "line 9", "line 10"], tail.Lines(50));
        Assert.Equal(10, tail.Total);
    }

    [Fact]
    public void Fewer_lines_than_the_capacity_are_all_kept()
    {
        var tail = new LogTail(5);
        Assert.Empty(tail.Lines());
        Assert.Null(tail.LastLine());
        tail.Add("a");
        tail.Add("b");
        Assert.Equal(["a", "b"], tail.Lines());
        Assert.Equal(2, tail.Total);
    }

    [Fact]
    public void Long_lines_are_truncated_with_an_ellipsis()
    {
        var tail = new LogTail();
        var exact = new string('x', LogTail.MaxLineLength);
        var longer = new string('y', LogTail.MaxLineLength) + "tail that is dropped";
        tail.Add(exact);
        tail.Add(longer);

        var lines = tail.Lines();
        Assert.Equal(exact, lines[0]);
        Assert.Equal(new string('y', LogTail.MaxLineLength) + "…", lines[1]);
        Assert.Equal(LogTail.MaxLineLength + 1, lines[1].Length);
    }

    [Fact]
    public void The_last_line_skips_blank_ones()
    {
        var tail = new LogTail(10);
        tail.Add("Connection refused");
        tail.Add(string.Empty);
        tail.Add("   ");
        Assert.Equal("Connection refused", tail.LastLine());
        tail.Add("Conversion failed!");
        Assert.Equal("Conversion failed!", tail.LastLine());
        Assert.Equal(4, tail.Total);
    }

    [Fact]
    public void Lines_added_from_many_threads_are_all_counted()
    {
        var tail = new LogTail(7);
        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 1000; i++)
            {
                tail.Add($"{t}:{i}");
            }
        });

        Assert.Equal(8000, tail.Total);
        Assert.Equal(7, tail.Lines().Count);
    }
}
