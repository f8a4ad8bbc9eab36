namespace Platform.Sources.Config;

/// <summary>How a source's URL is pulled.</summary>
public enum SourceInput
{
    /// <summary>The platform's own RTMP play client.</summary>
    Rtmp,

    /// <summary>The platform's own HTTP-FLV client.</summary>
    Flv,

    /// <summary>ffmpeg (RTSP, SRT, HLS, UDP, files), publishing into the node's RTMP listener.</summary>
    Ffmpeg,
}

/// <summary>Classifies and shows source URLs.</summary>
public static partial class SourceUrls
{
    private static readonly string[] FfmpegSchemes = ["rtsp", "rtsps", "srt", "udp", "rtp", "http", "https", "file"];

    /// <summary>How <paramref name="url"/> is pulled, or null with why not.</summary>
    public static SourceInput? Classify(string url, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = "is empty";
            return null;
        }

        if (url.StartsWith('/'))
        {
            return SourceInput.Ffmpeg; // a file
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            problem = $"'{Shown(url)}' is neither an absolute URL nor an absolute file path";
            return null;
        }

        var scheme = uri.Scheme.ToLowerInvariant();
        if (scheme == "rtmp")
        {
            return SourceInput.Rtmp;
        }

        if (scheme is "http" or "https" && uri.AbsolutePath.EndsWith(".flv", StringComparison.OrdinalIgnoreCase))
        {
            return SourceInput.Flv;
        }

        if (FfmpegSchemes.Contains(scheme))
        {
            return SourceInput.Ffmpeg;
        }

        problem = $"'{Shown(url)}': {uri.Scheme}:// is not a source the platform pulls (rtmp, http(s) .flv or .m3u8, rtsp, srt, udp, a file)";
        return null;
    }

    /// <summary>Whether the URL names a file (played with <c>-re</c>, looped on request).</summary>
    public static bool IsFile(string url) =>
        url.StartsWith('/') || url.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL as shown in the API and logs: no user information, credential parameters masked.</summary>
    public static string Shown(string url)
    {
        var text = url;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var hostStart = scheme + 3;
            var pathStart = text.IndexOfAny(['/', '?', '#'], hostStart);
            var authority = pathStart < 0 ? text[hostStart..] : text[hostStart..pathStart];
            var at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                text = text[..hostStart] + "***@" + authority[(at + 1)..] + (pathStart < 0 ? string.Empty : text[pathStart..]);
            }
        }

        return Streams.Security.LogText.Redacted(text);
    }

    /// <summary>
    /// A line of text that may quote a source's URL (ffmpeg's log, an error message) made fit to show: user
    /// information in any URL it holds masked, credential parameters masked.
    /// </summary>
    public static string Scrubbed(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : Streams.Security.LogText.Redacted(UserInfo().Replace(text, "$1***@"));

    [System.Text.RegularExpressions.GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s?#]+@")]
    private static partial System.Text.RegularExpressions.Regex UserInfo();
}
