namespace Platform.Workers.Tests;

public class FreshFileTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fresh-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void Creates_missing_folders_and_replaces_a_leftover_file()
    {
        var path = Path.Combine(_root, "a", "b", "seg-1.ts.tmp");
        using (var first = FreshFile.Create(path, 4096))
        {
            first.Write(new byte[1000]);
        }

        using (var second = FreshFile.Create(path, 4096))
        {
            second.Write([1, 2, 3]);
        }

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Replace_puts_the_whole_content_in_place_and_leaves_no_temp_file()
    {
        var path = Path.Combine(_root, "live", "s.m3u8");
        FreshFile.Replace(path, "#EXTM3U\n"u8);
        FreshFile.Replace(path, "#EXTM3U\n#EXT-X-VERSION:3\n"u8);
        Assert.Equal("#EXTM3U\n#EXT-X-VERSION:3\n", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
