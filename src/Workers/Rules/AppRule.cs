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

    /// <summary>A disabled app runs no worker for its streams (they still play).</summary>
    public bool Enabled { get; set; } = true;

    public HlsRule Hls { get; set; } = new();

    public DvrRule Dvr { get; set; } = new();
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
