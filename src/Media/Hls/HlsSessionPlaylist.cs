using System.Text;

namespace Platform.Media.Hls;

/// <summary>
/// Playlists that tie an HLS viewer's requests together by a session context (<c>hls_ctx</c>), the way
/// SRS does: the first playlist request gets a one-variant master playlist whose variant URI carries the
/// context, and every media playlist served in the session has the context appended to its segment URIs.
/// A player always reloads a live variant by the URI it was given, so the context survives reloads with
/// every player, which a redirect does not guarantee.
/// </summary>
public static class HlsSessionPlaylist
{
    public const string ContextParameter = "hls_ctx";

    /// <summary>
    /// A master playlist with one variant: <paramref name="mediaName"/> (relative to the requested playlist)
    /// with the context and then <paramref name="query"/> (the request's query without <c>?</c>, any
    /// previous context removed), so tokens in the first request's query reach every later request.
    /// </summary>
    public static string Master(string mediaName, string context, string query)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaName);
        ArgumentException.ThrowIfNullOrEmpty(context);
        var text = new StringBuilder(128 + mediaName.Length + query.Length);
        text.Append("#EXTM3U\n");
        text.Append("#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n");
        text.Append(string.Join('/', mediaName.Split('/').Select(Uri.EscapeDataString))).Append('?').Append(ContextParameter).Append('=').Append(context);
        var rest = WithoutContext(query);
        if (rest.Length > 0)
        {
            text.Append('&').Append(rest);
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The media playlist with the context appended to each URI line (lines that are neither blank nor
    /// tags); a URI that already has a query gets <c>&amp;hls_ctx=</c>, a fragment stays last.
    /// </summary>
    public static string WithContext(string playlist, string context)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        ArgumentException.ThrowIfNullOrEmpty(context);
        var text = new StringBuilder(playlist.Length + 64);
        var start = 0;
        while (start < playlist.Length)
        {
            var end = playlist.IndexOf('\n', start);
            var next = end < 0 ? playlist.Length : end + 1;
            var line = playlist.AsSpan(start, (end < 0 ? playlist.Length : end) - start);
            var carriage = line.Length > 0 && line[^1] == '\r';
            if (carriage)
            {
                line = line[..^1];
            }

            if (line.IsWhiteSpace() || line[0] == '#')
            {
                text.Append(line);
            }
            else
            {
                var hash = line.IndexOf('#');
                var uri = hash < 0 ? line : line[..hash];
                text.Append(uri).Append(uri.Contains('?') ? '&' : '?').Append(ContextParameter).Append('=').Append(context);
                if (hash >= 0)
                {
                    text.Append(line[hash..]);
                }
            }

            if (carriage)
            {
                text.Append('\r');
            }

            if (end >= 0)
            {
                text.Append('\n');
            }

            start = next;
        }

        return text.ToString();
    }

    /// <summary>A query string (without <c>?</c>) with every <c>hls_ctx</c> parameter removed.</summary>
    public static string WithoutContext(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var kept = new List<string>();
        foreach (var part in query.Split('&'))
        {
            var name = part.Split('=', 2)[0];
            if (part.Length > 0 && !name.Equals(ContextParameter, StringComparison.Ordinal))
            {
                kept.Add(part);
            }
        }

        return string.Join('&', kept);
    }
}
