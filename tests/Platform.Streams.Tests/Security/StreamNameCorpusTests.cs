namespace Platform.Streams.Tests.Security;

/// <summary>Names a client may send that must never become a folder or file name.</summary>
public class StreamNameCorpusTests
{
    public static TheoryData<string> Malformed => new()
    {
        string.Empty,
        ".",
        "..",
        "../etc",
        "..\\etc",
        "a/../b",
        "/abs",
        "a/b",
        "a\\b",
        "C:",
        "C:\\x",
        "x..y",
        "...",
        "%2e%2e",
        "%2F",
        "..%2f",
        "%00",
        "a?b",
        "a#b",
        "a*",
        "a\"b",
        "a<b",
        "a>b",
        "a|b",
        "nul\0",
        "\0",
        "a\u0001b",
        "tab\t",
        "line\nfeed",
        "cr\r",
        "del\u007F",
        "c1\u0085",
        "c1\u009F",
        "bidi\u202Eevil",
        "zero\u200Bwidth",
        "bom\uFEFF",
        "ls\u2028",
        "ps\u2029",
        new string('a', 201),
        new string('é', 101),
        new string('€', 67),
        "\uFF0E\uFF0E/x",
    };

    public static TheoryData<string> WellFormed => new()
    {
        "live",
        "cam1",
        "s1_720p-2.test",
        ".hidden",
        "a.b.c",
        "stream name",
        "é",
        "直播",
        "emoji\uD83D\uDE00",
        "\uFF0E\uFF0E",
        new string('a', 200),
        new string('é', 100),
        "__defaultVhost__",
        "example.com",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_names_are_refused(string name)
    {
        Assert.False(StreamKey.IsValidName(name));
        if (!name.Contains('/', StringComparison.Ordinal))
        {
            Assert.False(StreamKey.IsValidRelativePath($"s1/{name}"));
        }
    }

    /// <summary>Broken UTF-16 cannot travel through theory data intact, so these are checked here.</summary>
    [Fact]
    public void Lone_surrogates_are_refused()
    {
        foreach (var name in new[] { "lone\uD800", "lone\uDC00", "swapped\uDC00\uD800", "\uD800", "end\uD83D" })
        {
            Assert.False(StreamKey.IsValidName(name), name);
        }

        Assert.True(StreamKey.IsValidName("pair\uD83D\uDE00"));
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Ordinary_names_are_accepted(string name) => Assert.True(StreamKey.IsValidName(name));

    [Theory]
    [InlineData("s1.m3u8", true)]
    [InlineData("s1-12.ts", true)]
    [InlineData("s1/12.ts", true)]
    [InlineData("2026/11/25/s1-1.ts", true)]
    [InlineData("", false)]
    [InlineData("/s1.m3u8", false)]
    [InlineData("s1//1.ts", false)]
    [InlineData("s1/", false)]
    [InlineData("./s1.m3u8", false)]
    [InlineData("../s1.m3u8", false)]
    [InlineData("a/../../s1.m3u8", false)]
    [InlineData("..\\s1.m3u8", false)]
    [InlineData("%2e%2e/s1.m3u8", false)]
    [InlineData("s1\u0000.m3u8", false)]
    public void Relative_paths_are_checked_segment_by_segment(string path, bool valid) =>
        Assert.Equal(valid, StreamKey.IsValidRelativePath(path));
}
