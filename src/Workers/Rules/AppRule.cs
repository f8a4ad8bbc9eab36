namespace Platform.Workers.Rules;

/// <summary>
/// One rule of the <c>Apps</c> configuration list: which streams it covers (vhost, app and stream-name
/// patterns with <c>*</c> and <c>?</c>) and what runs for them. The first matching rule applies.
/// </summary>
public sealed class AppRule
{
    public string Vhost { get; set; } = "*";

    public string App { get; set; } = "*";

    public string Stream { get; set; } = "*";

    /// <summary>
    /// Unset: the rule covers streams whatever made them. Set: it covers only renditions made by an engine
    /// whose name matches (<c>*</c>: any rendition), so renditions can be routed apart from their source.
    /// </summary>
    public string? Engine { get; set; }

    /// <summary>How long a player of a stream nobody publishes waits for a publisher (every protocol); unset: the node's settings.</summary>
    public TimeSpan? PlayWaitTimeout { get; set; }

    /// <summary>The same for HTTP-FLV players only (<c>00:00:00</c>: 404 at once); unset: <see cref="PlayWaitTimeout"/>, then the node's.</summary>
    public TimeSpan? FlvPlayWaitTimeout { get; set; }

    /// <summary>A disabled app runs no worker for its streams (they still play).</summary>
    public bool Enabled { get; set; } = true;

    public HlsRule Hls { get; set; } = new();

    public DvrRule Dvr { get; set; } = new();

    /// <summary>Transcode engines run on the streams this rule covers (on a rendition only when the rule sets <see cref="Engine"/>).</summary>
    public List<EngineRule> Engines { get; set; } = [];

    /// <summary>
    /// An http(s) URL asked, when a stream's engines start, which of them run for it (the business decides,
    /// per stream): POST <c>{"action":"on_engine","vhost","app","stream","engine","output","lineage"}</c>,
    /// answer <c>{"code":0,"data":{"engines":["480p",...]}}</c>. Empty: every engine of the rule runs.
    /// </summary>
    public string EngineBackend { get; set; } = string.Empty;

    /// <summary>RTMP destinations the streams this rule covers are pushed to (sources and renditions alike).</summary>
    public ForwardRule Forward { get; set; } = new();

    /// <summary>
    /// Upstream origins (<c>rtmp://host[:port]/app</c> or <c>http(s)://host[:port]/app</c> for HTTP-FLV; <c>[stream]</c>
    /// places the name, else it is appended): a stream of these apps that nobody publishes here is pulled, on
    /// demand, from the first origin that has it, failing over down the list (this node is their edge).
    /// </summary>
    public List<string> Origins { get; set; } = [];
}

/// <summary>
/// One FFmpeg transcode engine (SRS's <c>transcode engine</c>): it reads the stream and publishes a
/// rendition as a stream of its own, named by <see cref="Output"/>.
/// </summary>
public sealed class EngineRule
{
    /// <summary>Letters, digits, <c>-</c> and <c>_</c>; unique within the rule.</summary>
    public string Name { get; set; } = string.Empty;

    public bool Enabled { get; set; } = true;

    public EngineVideo Video { get; set; } = new();

    public EngineAudio Audio { get; set; } = new();

    /// <summary>More ffmpeg output options, split on spaces (after the codec options, before the output).</summary>
    public string Args { get; set; } = string.Empty;

    /// <summary>
    /// The rendition's name with <c>[vhost] [app] [stream] [engine]</c>: a stream name in the source's app,
    /// or <c>app/stream</c>.
    /// </summary>
    public string Output { get; set; } = "[stream]_[engine]";
}

public sealed class EngineVideo
{
    /// <summary>An ffmpeg encoder (<c>libx264</c>), <c>copy</c>, or <c>none</c> (no video).</summary>
    public string Codec { get; set; } = "libx264";

    /// <summary>kbit/s; 0: the encoder's default.</summary>
    public int Bitrate { get; set; }

    /// <summary>Output size; 0 keeps the source's (one of the two set keeps the aspect ratio).</summary>
    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>Frames per second; 0 keeps the source's.</summary>
    public double Fps { get; set; }

    public string Profile { get; set; } = string.Empty;

    public string Preset { get; set; } = "veryfast";

    /// <summary>
    /// Keyframes are forced at every multiple of this in the source's time, so every rendition of a stream
    /// cuts its GOPs (and HLS segments) at the same instants.
    /// </summary>
    public TimeSpan KeyframeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>ffmpeg video filters (<c>-vf</c>), applied after the scaling.</summary>
    public string Filters { get; set; } = string.Empty;
}

public sealed class EngineAudio
{
    /// <summary>An ffmpeg encoder (<c>aac</c>), <c>copy</c>, or <c>none</c> (no audio).</summary>
    public string Codec { get; set; } = "aac";

    /// <summary>kbit/s; 0: the encoder's default.</summary>
    public int Bitrate { get; set; } = 96;

    /// <summary>Hz; 0 keeps the source's.</summary>
    public int SampleRate { get; set; }

    /// <summary>0 keeps the source's.</summary>
    public int Channels { get; set; }
}

/// <summary>FLV recording of a stream (off unless enabled).</summary>
public sealed class DvrRule
{
    public bool Enabled { get; set; }

    /// <summary><c>Session</c>: one file per publish; <c>Segment</c>: a new file every <see cref="SegmentDuration"/>, cut on a keyframe.</summary>
    public Dvr.DvrPlan Plan { get; set; } = Dvr.DvrPlan.Session;

    public TimeSpan SegmentDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Folder of recordings; relative paths are under <c>Storage:Root</c>.</summary>
    public string Path { get; set; } = "dvr";

    /// <summary>File name template with SRS's variables: [vhost] [app] [stream] [2006] [01] [02] [15] [04] [05] [999] [timestamp].</summary>
    public string File { get; set; } = "[app]/[stream].[2006][01][02]-[15][04][05]-[999].flv";
}

public sealed class HlsRule
{
    public bool Enabled { get; set; } = true;

    /// <summary>Target segment duration; segments are cut on the first keyframe past it.</summary>
    public TimeSpan Fragment { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Playlist window: segments older than this are dropped from the playlist and deleted.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Segment boundaries, numbers and names derived from the stream's timestamps alone.</summary>
    public bool Deterministic { get; set; }

    /// <summary>Folder for playlists and segments; relative paths are under <c>Storage:Root</c>.</summary>
    public string Path { get; set; } = "hls";

    /// <summary>Segment file name, SRS's <c>hls_ts_file</c> variables: [app] [stream] [seq] [2006] [01] [02] [15] [04] [05] [999] [timestamp].</summary>
    public string TsFile { get; set; } = "[app]/[stream]-[seq].ts";

    /// <summary>How long after unpublish the playlist and segments stay before they are removed.</summary>
    public TimeSpan CleanupAfter { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// SRS's <c>forward</c>: the stream is pushed, as it is, to other RTMP servers. Each destination is its own
/// connection, reconnected with backoff; a slow destination drops to the next keyframe, never slows the stream.
/// </summary>
public sealed class ForwardRule
{
    /// <summary>Unset: on when <see cref="Destinations"/> or <see cref="Backend"/> is set.</summary>
    public bool? Enabled { get; set; }

    /// <summary><c>rtmp://host[:port]/app/stream[?query]</c> with <c>[vhost] [app] [stream] [engine]</c> (<c>[engine]</c>: the engine that made a rendition, else empty).</summary>
    public List<string> Destinations { get; set; } = [];

    /// <summary>An http(s) URL asked at each publish for more destinations (SRS's <c>on_forward</c>); empty: none.</summary>
    public string Backend { get; set; } = string.Empty;

    /// <summary>Wait before the first reconnect; doubled after each failure up to <see cref="ReconnectMax"/>.</summary>
    public TimeSpan ReconnectMin { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the rule forwards at all.</summary>
    public bool IsEnabled => Enabled ?? (Destinations.Count > 0 || !string.IsNullOrWhiteSpace(Backend));
}
