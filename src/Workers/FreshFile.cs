namespace Platform.Workers;

/// <summary>
/// Creates files that are written once and then renamed into place (segments, playlists, recordings).
/// Opened with create-new rather than create-or-truncate: .NET truncates an opened file with a separate
/// <c>ftruncate(0)</c>, and on ext4 a truncation to zero marks the file for a forced write-back at close
/// (the replace-via-truncate safeguard), which for a fresh file is pure cost at several files a second per
/// stream. The folder is created only when the open finds it missing.
/// </summary>
public static class FreshFile
{
    public static FileStream Create(string path, int bufferSize)
    {
        try
        {
            return Open(path, bufferSize);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return Open(path, bufferSize);
        }
        catch (IOException) when (File.Exists(path))
        {
            // A leftover of an earlier run or write: replace it.
            File.Delete(path);
            return Open(path, bufferSize);
        }
    }

    /// <summary>Writes <paramref name="content"/> to a fresh <c>.tmp</c> beside <paramref name="path"/>, then renames it over <paramref name="path"/>.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp";
        using (var stream = Create(temp, 1))
        {
            stream.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static FileStream Open(string path, int bufferSize) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize);
}
