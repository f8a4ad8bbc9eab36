using System.Globalization;
using System.Text.RegularExpressions;
using FFMpegCore;
using Platform.Sources.Config;
using Platform.Workers.Engines;

namespace Platform.Sources.Workers;

/// <summary>
/// The ffmpeg command line of a pulled source, built with FFMpegCore: read the URL (RTSP over the chosen
/// transport, a file at its own pace and looped if asked), copy or transcode as the entry says, and publish
/// into this node's RTMP listener with the source's ticket.
/// </summary>
public static partial class SourceArguments
{
    public static string Build(SourceSpec spec, string url, string host, int port, string publishTicket)
    {
        var rule = spec.Rule;
        var input = SourceUrls.IsFile(url) && url.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? new Uri(url).LocalPath : url;
        var arguments = FFMpegArguments
            .FromFileInput(input, verifyExists: false, options =>
            {
                if (url.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
                {
                    options.WithCustomArgument($"-rtsp_transport {rule.RtspTransport}");
                }

                if (SourceUrls.IsFile(url))
                {
                    // A file is a channel: played at its own pace, from the start again when it ends.
                    options.WithCustomArgument(rule.Loop ? "-re -stream_loop -1" : "-re");
                }

                if (!string.IsNullOrWhiteSpace(rule.InputArgs))
                {
                    options.WithCustomArgument(rule.InputArgs.Trim());
                }
            })
            .OutputToFile(EngineArguments.RtmpUrl(host, port, spec.Stream), overwrite: false, output =>
            {
                EngineArguments.Video(output, rule.Video);
                EngineArguments.Audio(output, rule.Audio);
                if (!string.IsNullOrWhiteSpace(rule.Args))
                {
                    output.WithCustomArgument(rule.Args.Trim());
                }

                output.WithCustomArgument(EngineArguments.RtmpOptions(spec.Stream, publishTicket));
                output.ForceFormat("flv");
            });
        return "-hide_banner -nostdin -nostats -loglevel warning -progress pipe:1 " + arguments.Arguments;
    }

    /// <summary>
    /// Whether ffmpeg's reason for ending says the stream is not there (retrying does not cure it), rather than
    /// that the network or the server failed: HTTP or RTSP 404/410, an RTMP StreamNotFound, a missing file.
    /// </summary>
    public static bool MeansNotFound(string reason) => NotFound().IsMatch(reason);

    [GeneratedRegex(@"(?i)\b(404|410)\b|not found|StreamNotFound|No such file or directory|does not exist")]
    private static partial Regex NotFound();

    internal static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
