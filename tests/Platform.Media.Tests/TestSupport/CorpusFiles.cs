namespace Platform.Media.Tests.TestSupport;

/// <summary>
/// Finds checked-in corpus files in the source tree (tests/Platform.Media.Tests/Corpus/&lt;subfolder&gt;) by
/// walking up from the test binaries to the folder that holds the test project file.
/// </summary>
public static class CorpusFiles
{
    private const string ProjectFile = "Platform.Media.Tests.csproj";

    /// <summary>Every file in Corpus/<paramref name="subfolder"/>, sorted by name.</summary>
    public static IEnumerable<string> In(string subfolder)
    {
        var folder = Path.Combine(ProjectFolder(), "Corpus", subfolder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Corpus folder {folder} does not exist.");
        }

        var files = Directory.GetFiles(folder);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static string ProjectFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ProjectFile)))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} contains {ProjectFile}.");
    }
}
