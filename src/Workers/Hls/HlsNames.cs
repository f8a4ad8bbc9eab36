using System.Globalization;
using Platform.Streams;

namespace Platform.Workers.Hls;

/// <summary>Segment and playlist names from SRS-style templates, kept inside the HLS root.</summary>
public static class HlsNames
{
    /// <summary>Playlist path relative to the root: <c>app/stream.m3u8</c>.</summary>
    /// <exception cref="ArgumentException">A name could leave the root (ingest refuses such names first).</exception>
    public static string Playlist(StreamKey stream)
    {
        EnsureValid(stream);
        return $"{stream.App}/{stream.Stream}.m3u8";
    }

    /// <summary>Expands a <c>TsFile</c> template into a path relative to the root (forward slashes).</summary>
    /// <exception cref="ArgumentException">A name could leave the root (ingest refuses such names first).</exception>
    public static string Segment(string template, StreamKey stream, long sequence, DateTimeOffset time)
    {
        EnsureValid(stream);
        var utc = time.UtcDateTime;
        var name = template
            .Replace("[vhost]", stream.Vhost, StringComparison.Ordinal)
            .Replace("[app]", stream.App, StringComparison.Ordinal)
            .Replace("[stream]", stream.Stream, StringComparison.Ordinal)
            .Replace("[seq]", sequence.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[2006]", utc.ToString("yyyy", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[01]", utc.ToString("MM", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[02]", utc.ToString("dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[15]", utc.ToString("HH", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[04]", utc.ToString("mm", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[05]", utc.ToString("ss", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[999]", utc.ToString("fff", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("[timestamp]", time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return name.Replace('\\', '/');
    }

    /// <summary>The full path of a relative name under <paramref name="root"/>; null if it would leave the root.</summary>
    public static string? Resolve(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>The URI of a segment as written in the playlist (relative to the playlist's folder).</summary>
    public static string UriFromPlaylist(StreamKey stream, string segment)
    {
        var prefix = stream.App + "/";
        var relative = segment.StartsWith(prefix, StringComparison.Ordinal) ? segment[prefix.Length..] : "/" + segment;

        // A URI, not a file name: a stream named "my stream" is listed as my%20stream-0.ts.
        return string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
    }

    private static void EnsureValid(StreamKey stream)
    {
        if (!StreamKey.IsValidName(stream.Vhost) || !StreamKey.IsValidName(stream.App) || !StreamKey.IsValidName(stream.Stream))
        {
            throw new ArgumentException($"'{stream}' has a name that cannot be a file name", nameof(stream));
        }
    }
}
