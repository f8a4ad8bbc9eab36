namespace Platform.Workers.Dvr;

/// <summary>
/// A finished recording: its full path, the wall-clock time of its first tag (UTC), its duration (the
/// timestamp of its last tag) and its size in bytes.
/// </summary>
public sealed record DvrFile(string Path, DateTimeOffset Start, TimeSpan Duration, long Size);
