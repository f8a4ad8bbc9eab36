namespace Platform.Sources.Pull;

/// <summary>
/// Pulls a live stream from another media server (SRS, nginx-rtmp, MediaMTX, another instance of this platform)
/// with the platform's own clients, no ffmpeg: RTMP play, or HTTP-FLV.
/// </summary>
public static class MediaPuller
{
    /// <summary>True for <c>rtmp://</c> URLs, and for <c>http://</c> and <c>https://</c> ones whose path ends in <c>.flv</c> (a query allowed).</summary>
    public static bool Handles(Uri url) =>
        url is { IsAbsoluteUri: true }
        && (url.Scheme == "rtmp"
            || ((url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.AbsolutePath.EndsWith(".flv", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Connects, plays, and calls <paramref name="onFrame"/> for each audio, video and <c>onMetaData</c> message, with
    /// the remote's timestamps, until the remote ends the stream: returns normally at RTMP <c>NetStream.Play.Stop</c>,
    /// <c>NetStream.Play.Complete</c> or <c>NetStream.Play.UnpublishNotify</c>, at the connection closed by the
    /// server, or at the end of an HTTP-FLV answer, when media flowed. Throws <see cref="SourceNotFoundException"/>
    /// (not there, or ended or silent before any media), <see cref="SourceStalledException"/> (silent after media),
    /// <see cref="TimeoutException"/> (no answer within the connect timeout), or the network or protocol error:
    /// <see cref="System.Net.Sockets.SocketException"/>, <see cref="IOException"/>, <see cref="HttpRequestException"/>
    /// (another HTTP status), <c>Platform.Workers.Rtmp.RtmpRefusedException</c> (another RTMP error),
    /// <see cref="Platform.Media.MediaFormatException"/> (bad bytes, a message longer than the limit). Cancellation
    /// ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task RunAsync(Uri url, PulledFrame onFrame, PullOptions options, PullStats stats, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        if (!Handles(url))
        {
            throw new ArgumentException($"'{Streams.Security.LogText.Redacted(url.OriginalString)}' is not an rtmp:// or HTTP-FLV (.flv) URL", nameof(url));
        }

        options.Validate();
        using var session = new PullSession(url, onFrame, options, stats, cancellationToken);
        try
        {
            await (url.Scheme == "rtmp"
                ? RtmpPuller.RunAsync(url, session, options, cancellationToken)
                : HttpFlvPuller.RunAsync(url, session, options, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Whatever cancelling broke (a read cut short), the pull ended because it was cancelled.
            throw new OperationCanceledException("the pull was cancelled", ex, cancellationToken);
        }
    }
}
