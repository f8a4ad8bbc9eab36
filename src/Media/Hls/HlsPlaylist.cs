using System.Globalization;
using System.Text;

namespace Platform.Media.Hls;

/// <summary>
/// Writes an HLS live media playlist (RFC 8216, version 3) for a window of segments: the target duration
/// is the ceiling of the longest segment in the window as written (to the millisecond), the media
/// sequence is the first segment's, and every segment gets its program date-time (UTC, milliseconds).
/// </summary>
public static class HlsPlaylist
{
    public const int Version = 3;

    /// <summary>
    /// The playlist text (LF line ends). <paramref name="window"/> must hold at least one segment, with
    /// consecutive sequence numbers (the playlist numbers segments implicitly from the first one).
    /// <paramref name="discontinuitySequence"/> is written when not zero: the number of discontinuities
    /// that have slid out of the window, as RFC 8216 4.3.3.3 requires once one has.
    /// </summary>
    public static string Write(IReadOnlyList<HlsSegment> window, bool ended, long discontinuitySequence = 0)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfNegative(discontinuitySequence);
        Validate(window);
        var text = new StringBuilder(128 + (window.Count * 96));
        text.Append("#EXTM3U\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-VERSION:{Version}\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{TargetDuration(window)}\n");
        text.Append(CultureInfo.InvariantCulture, $"#EXT-X-MEDIA-SEQUENCE:{window[0].Sequence}\n");
        if (discontinuitySequence != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuitySequence}\n");
        }

        for (var i = 0; i < window.Count; i++)
        {
            var segment = window[i];
            if (segment.Discontinuity)
            {
                text.Append("#EXT-X-DISCONTINUITY\n");
            }

            text.Append("#EXT-X-PROGRAM-DATE-TIME:")
                .Append(segment.ProgramDateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
                .Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{Rounded(segment.Duration):0.000},\n");
            text.Append(segment.Uri).Append('\n');
        }

        if (ended)
        {
            text.Append("#EXT-X-ENDLIST\n");
        }

        return text.ToString();
    }

    /// <summary>The ceiling of the longest duration as written (3 decimals), so no EXTINF exceeds it.</summary>
    public static int TargetDuration(IReadOnlyList<HlsSegment> window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var longest = 0.0;
        for (var i = 0; i < window.Count; i++)
        {
            longest = Math.Max(longest, Rounded(window[i].Duration));
        }

        return (int)Math.Ceiling(longest);
    }

    private static double Rounded(double seconds) => Math.Round(seconds, 3, MidpointRounding.AwayFromZero);

    private static void Validate(IReadOnlyList<HlsSegment> window)
    {
        if (window.Count == 0)
        {
            throw new ArgumentException("A media playlist needs at least one segment.", nameof(window));
        }

        for (var i = 0; i < window.Count; i++)
        {
            var segment = window[i];
            if (segment.Sequence != window[0].Sequence + i)
            {
                throw new ArgumentException(
                    $"Segment {i} has sequence {segment.Sequence}, not {window[0].Sequence + i}: sequences must be consecutive.",
                    nameof(window));
            }

            if (!double.IsFinite(segment.Duration) || segment.Duration < 0)
            {
                throw new ArgumentException($"Segment {segment.Sequence} has duration {segment.Duration}.", nameof(window));
            }

            if (string.IsNullOrEmpty(segment.Uri) || segment.Uri.AsSpan().ContainsAny('\r', '\n'))
            {
                throw new ArgumentException($"Segment {segment.Sequence} has an empty URI or one with a line break.", nameof(window));
            }
        }
    }
}
