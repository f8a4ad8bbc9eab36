using System.Globalization;
using System.Net;

namespace Platform.EndToEnd.Tests;

/// <summary>Reads HLS media playlists as a player does: the segments' URIs and EXTINF durations.</summary>
public static class HlsPlaylists
{
    public sealed record Entry(string Uri, double Duration);

    public static IReadOnlyList<Entry> Parse(string text)
    {
        var entries = new List<Entry>();
        double? duration = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..].Split(',')[0];
                duration = double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                Assert.True(duration.HasValue, $"segment {line} without #EXTINF");
                entries.Add(new Entry(line, duration.Value));
                duration = null;
            }
        }

        return entries;
    }

    /// <summary>The playlist's segments; empty while it does not exist yet.</summary>
    public static async Task<IReadOnlyList<Entry>> GetAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        if (text.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
        {
            // A viewer's first request gets a master playlist naming its session's media playlist.
            var variant = text.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith('#'));
            using var media = await http.GetAsync(new Uri(new Uri(url), variant));
            if (media.StatusCode == HttpStatusCode.NotFound)
            {
                return [];
            }

            media.EnsureSuccessStatusCode();
            text = await media.Content.ReadAsStringAsync();
        }

        // Segment names without the session's query, so that playlists of different viewers or nodes compare.
        return [.. Parse(text).Select(e => e with { Uri = e.Uri.Split('?')[0] })];
    }

    /// <summary>
    /// True once a playlist on disk is final: its publisher is gone, no segment or playlist is being written
    /// and it lists every segment in its folder (nothing was closed after the playlist was last written).
    /// </summary>
    public static bool IsSettled(string playlistPath, string segmentPattern)
    {
        var folder = Path.GetDirectoryName(playlistPath)!;
        if (!File.Exists(playlistPath) || Directory.GetFiles(folder, "*.tmp").Length > 0)
        {
            return false;
        }

        var listed = Parse(File.ReadAllText(playlistPath)).Select(e => e.Uri).ToHashSet(StringComparer.Ordinal);
        return Directory.GetFiles(folder, segmentPattern).All(f => listed.Contains(Path.GetFileName(f)));
    }
}
