using Platform.Workers.Rules;

namespace Platform.Sources.Config;

/// <summary>
/// One entry of the <c>Sources</c> settings: a stream the platform pulls from <see cref="Url"/> rather than
/// waits for a publisher of. <see cref="Stream"/> may hold variables (<c>live/cam-{id}</c>), which
/// <see cref="Url"/> uses (<c>rtsp://10.0.0.{id}/h264</c>): one entry for many cameras, pulled on demand.
/// </summary>
public sealed class SourceRule
{
    /// <summary><c>app/stream</c> or <c>vhost/app/stream</c>; a stream name may be or hold <c>{name}</c> variables.</summary>
    public string Stream { get; set; } = string.Empty;

    /// <summary>
    /// <c>rtmp://</c> and <c>http(s)://….flv</c> are pulled by the platform's own clients; <c>rtsp://</c>,
    /// <c>srt://</c>, <c>http(s)://….m3u8</c>, <c>udp://</c> and files through ffmpeg.
    /// </summary>
    public string Url { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    /// <summary>False (the default): the source runs while the cluster runs. True: while someone reads the stream.</summary>
    public bool OnDemand { get; set; }

    /// <summary>How long readers of an on-demand source wait for its first frames before they are told it is unavailable.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an on-demand source keeps running after its last reader left.</summary>
    public TimeSpan CloseAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A pull that delivers nothing for this long (a camera that keeps its connection open but sends nothing) is restarted.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>RTSP transport: <c>tcp</c> (interleaved, the default) or <c>udp</c>.</summary>
    public string RtspTransport { get; set; } = "tcp";

    /// <summary>A file is played again from its start when it ends (a channel); false: once.</summary>
    public bool Loop { get; set; } = true;

    /// <summary>Video as pulled (<c>copy</c>, the default) or transcoded by ffmpeg like an engine's.</summary>
    public EngineVideo Video { get; set; } = new() { Codec = "copy", KeyframeInterval = TimeSpan.Zero, Preset = string.Empty };

    public EngineAudio Audio { get; set; } = new() { Codec = "copy", Bitrate = 0 };

    /// <summary>More ffmpeg input options (before <c>-i</c>), split on spaces.</summary>
    public string InputArgs { get; set; } = string.Empty;

    /// <summary>More ffmpeg output options, split on spaces.</summary>
    public string Args { get; set; } = string.Empty;
}
