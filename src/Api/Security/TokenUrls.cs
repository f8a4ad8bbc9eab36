using System.Globalization;
using Platform.Streams.Security;

namespace Platform.Api.Security;

/// <summary>The URLs a minted token is used with: RTMP for publishing; RTMP, HTTP-FLV and HLS for playing.</summary>
public static class TokenUrls
{
    public static IReadOnlyDictionary<string, string> For(MintedToken token, string host, int rtmpPort, int httpPort)
    {
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        var stream = token.Stream;
        var urls = new Dictionary<string, string>
        {
            // RTMP names are sent as they are (no URL decoding on the server), so they are not escaped.
            ["rtmp"] = string.Create(CultureInfo.InvariantCulture, $"rtmp://{authority}:{rtmpPort}/{stream.App}/{stream.Stream}?{token.Query}"),
        };
        if (token.Action == TokenAction.Play)
        {
            var path = $"{Uri.EscapeDataString(stream.App)}/{Uri.EscapeDataString(stream.Stream)}";
            urls["flv"] = string.Create(CultureInfo.InvariantCulture, $"http://{authority}:{httpPort}/{path}.flv?{token.Query}");
            urls["hls"] = string.Create(CultureInfo.InvariantCulture, $"http://{authority}:{httpPort}/{path}.m3u8?{token.Query}");
        }

        return urls;
    }
}
