using System.Globalization;
using FFMpegCore;
using Platform.Streams;
using Platform.Workers.Rules;

namespace Platform.Workers.Engines;

/// <summary>
/// The ffmpeg command line of one engine, built with FFMpegCore: read the source from this node's RTMP
/// listener, encode as the rule says, publish the rendition back to it, each side with its own ticket.
/// ffmpeg reports progress on stdout (<c>-progress pipe:1</c>) and only warnings on stderr, so a process
/// that runs for days writes a bounded log.
/// </summary>
public static class EngineArguments
{
    public static string Build(EngineSettings engine, string host, int port, string readTicket, string publishTicket)
    {
        var rule = engine.Rule;
        var arguments = FFMpegArguments
            .FromFileInput(RtmpUrl(host, port, engine.Source), verifyExists: false, input => input
                .WithCustomArgument(RtmpOptions(engine.Source, readTicket)))
            .OutputToFile(RtmpUrl(host, port, engine.Output), overwrite: false, output =>
            {
                Video(output, rule.Video);
                Audio(output, rule.Audio);
                if (!string.IsNullOrWhiteSpace(rule.Args))
                {
                    output.WithCustomArgument(rule.Args.Trim());
                }

                output.WithCustomArgument(RtmpOptions(engine.Output, publishTicket));
                output.ForceFormat("flv");
            });
        return "-hide_banner -nostdin -nostats -loglevel warning -progress pipe:1 -copyts " + arguments.Arguments;
    }

    /// <summary>The URL ffmpeg connects to; the app and stream it names are set by <c>-rtmp_app</c>/<c>-rtmp_playpath</c>.</summary>
    public static string RtmpUrl(string host, int port, StreamKey stream) =>
        string.Create(CultureInfo.InvariantCulture, $"rtmp://{host}:{port}/{stream.App}/{stream.Stream}");

    /// <summary>
    /// The app with the vhost and ticket as its query (SRS style: <c>app?vhost=v</c>), so the ticket is seen
    /// at connect as well as at publish or play, and apps with slashes are named exactly.
    /// </summary>
    public static string RtmpOptions(StreamKey stream, string ticket)
    {
        var query = stream.Vhost == StreamKey.DefaultVhost
            ? $"{Streams.Access.InternalTickets.Parameter}={ticket}"
            : $"vhost={Uri.EscapeDataString(stream.Vhost)}&{Streams.Access.InternalTickets.Parameter}={ticket}";
        return $"-rtmp_app \"{stream.App}?{query}\" -rtmp_playpath \"{stream.Stream}\" -rtmp_live live";
    }

    /// <summary>The video options of an engine (or a transcoding source): an encoder with its settings, <c>copy</c> or <c>none</c>.</summary>
    public static void Video(FFMpegOutputOptions output, EngineVideo video)
    {
        switch (video.Codec.Trim().ToLowerInvariant())
        {
            case "none":
                output.DisableVideo();
                return;
            case "copy":
                output.WithCustomArgument("-c:v copy");
                return;
        }

        output.WithVideoCodec(video.Codec.Trim());
        if (video.Bitrate > 0)
        {
            output.WithVideoBitrate(video.Bitrate);
        }

        var filters = new List<string>();
        if (video.Width > 0 || video.Height > 0)
        {
            filters.Add(string.Create(CultureInfo.InvariantCulture, $"scale={(video.Width > 0 ? video.Width : -2)}:{(video.Height > 0 ? video.Height : -2)}"));
        }

        if (!string.IsNullOrWhiteSpace(video.Filters))
        {
            filters.Add(video.Filters.Trim());
        }

        if (filters.Count > 0)
        {
            output.WithCustomArgument($"-vf \"{string.Join(',', filters)}\"");
        }

        if (video.Fps > 0)
        {
            output.WithFrameRate(video.Fps);
        }

        if (!string.IsNullOrWhiteSpace(video.Profile))
        {
            output.WithCustomArgument($"-profile:v {video.Profile.Trim()}");
        }

        if (!string.IsNullOrWhiteSpace(video.Preset))
        {
            output.WithCustomArgument($"-preset {video.Preset.Trim()}");
        }

        if (video.KeyframeInterval > TimeSpan.Zero)
        {
            // Keyframes at the same instants of the source's time in every rendition (timestamps are the
            // source's, -copyts): the first frame, then the first frame of each new interval. Scene cuts add none.
            var seconds = video.KeyframeInterval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            output.WithCustomArgument($"-force_key_frames \"expr:if(isnan(prev_forced_t),1,gte(floor(t/{seconds}),floor(prev_forced_t/{seconds})+1))\" -sc_threshold 0");
        }
    }

    public static void Audio(FFMpegOutputOptions output, EngineAudio audio)
    {
        switch (audio.Codec.Trim().ToLowerInvariant())
        {
            case "none":
                output.DisableAudio();
                return;
            case "copy":
                output.WithCustomArgument("-c:a copy");
                return;
        }

        output.WithAudioCodec(audio.Codec.Trim());
        if (audio.Bitrate > 0)
        {
            output.WithAudioBitrate(audio.Bitrate);
        }

        if (audio.SampleRate > 0)
        {
            output.WithAudioSamplingRate(audio.SampleRate);
        }

        if (audio.Channels > 0)
        {
            output.WithAudioChannels(audio.Channels);
        }
    }
}
