using System.Globalization;
using System.Text;

namespace Platform.Media.Hls;

/// <summary>One rendition of an adaptive (ABR) master playlist.</summary>
/// <param name="Uri">The media playlist's URI, relative to the master, already escaped, with its query.</param>
/// <param name="Bandwidth">Peak bit rate in bit/s (HLS requires it).</param>
/// <param name="Codecs">RFC 6381 codec names (<c>avc1.64001f</c>, <c>mp4a.40.2</c>); empty when unknown.</param>
public sealed record HlsVariant(string Uri, long Bandwidth, long AverageBandwidth, int Width, int Height, double FrameRate, IReadOnlyList<string> Codecs);

/// <summary>
/// The master playlist of a stream and its renditions: one <c>EXT-X-STREAM-INF</c> per rendition, highest
/// bit rate first, with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, FRAME-RATE and CODECS where known, and
/// <c>EXT-X-INDEPENDENT-SEGMENTS</c> (each segment starts with a keyframe, so a player switches at any).
/// </summary>
public static class HlsMasterPlaylist
{
    public static string Build(IEnumerable<HlsVariant> variants)
    {
        var text = new StringBuilder(512);
        text.Append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        foreach (var variant in variants.OrderByDescending(v => v.Bandwidth).ThenByDescending(v => v.Height))
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-STREAM-INF:BANDWIDTH={Math.Max(1, variant.Bandwidth)}");
            if (variant.AverageBandwidth > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $",AVERAGE-BANDWIDTH={variant.AverageBandwidth}");
            }

            if (variant.Width > 0 && variant.Height > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $",RESOLUTION={variant.Width}x{variant.Height}");
            }

            if (variant.FrameRate > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $",FRAME-RATE={variant.FrameRate:0.000}");
            }

            if (variant.Codecs.Count > 0)
            {
                text.Append(",CODECS=\"").Append(string.Join(',', variant.Codecs)).Append('"');
            }

            text.Append('\n').Append(variant.Uri).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The RFC 6381 name of an audio codec from its API summary (AAC LC, HE, HEv2, MP3); null when unknown.</summary>
    public static string? AudioCodec(string codec, string profile) => (codec, profile) switch
    {
        ("AAC", "HE") => "mp4a.40.5",
        ("AAC", "HEv2") => "mp4a.40.29",
        ("AAC", _) => "mp4a.40.2",
        ("MP3", _) => "mp4a.40.34",
        _ => null,
    };
}
