using System.Net;

namespace Platform.EndToEnd.Tests;

/// <summary>An HLS viewer as a player behaves: first playlist (a session's master), then its variant and segments.</summary>
public sealed class HlsViewer(HttpClient http)
{
    /// <summary>The media playlist URL of the session, with its <c>hls_ctx</c>.</summary>
    public Uri? MediaUrl { get; private set; }

    public string Context => System.Web.HttpUtility.ParseQueryString(MediaUrl!.Query)["hls_ctx"]!;

    /// <summary>Asks for the stream's playlist until it exists; returns the status of the answer that was not 404.</summary>
    public async Task<HttpStatusCode> OpenAsync(string playlistUrl, TimeSpan timeout)
    {
        var status = HttpStatusCode.NotFound;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await http.GetAsync(playlistUrl);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                return status != HttpStatusCode.NotFound;
            }

            var master = await response.Content.ReadAsStringAsync();
            var variant = master.Split('\n').Single(l => l.Length > 0 && !l.StartsWith('#'));
            MediaUrl = new Uri(new Uri(playlistUrl), variant);
            return true;
        }, timeout, $"playlist {playlistUrl}");
        return status;
    }

    /// <summary>The session's media playlist (status and text).</summary>
    public async Task<(HttpStatusCode Status, string Text)> PlaylistAsync()
    {
        using var response = await http.GetAsync(MediaUrl);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Segment URLs of a media playlist, resolved against the session's playlist URL.</summary>
    public IReadOnlyList<Uri> Segments(string playlist) =>
        playlist.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => new Uri(MediaUrl!, l.Trim())).ToList();
}
