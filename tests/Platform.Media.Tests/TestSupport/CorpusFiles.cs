namespace Platform.Media.Tests.TestSupport;

/// <summary>Locates the checked-in test corpus (tests/Platform.Media.Tests/Corpus) from the test output folder.</summary>
public static class CorpusFiles
{
    /// <summary>The files of Corpus/<paramref name="subfolder"/>, sorted by name. Throws if the folder is missing.</summary>
    public static IEnumerable<string> In(string subfolder)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Platform.Media.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new DirectoryNotFoundException(
                $"No folder above {AppContext.BaseDirectory} contains Platform.Media.Tests.csproj.");
        }

        var folder = Path.Combine(dir.FullName, "Corpus", subfolder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Corpus folder {folder} does not exist.");
        }

        var files = Directory.GetFiles(folder);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
