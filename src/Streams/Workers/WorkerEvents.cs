namespace Platform.Streams.Workers;

/// <summary>
/// Raised on the actor system's event stream when a worker finishes a file, so that HTTP callbacks
/// (<c>on_dvr</c>, <c>on_hls</c>), catalogs and metrics can subscribe without the workers knowing them.
/// </summary>
public abstract record WorkerEvent(StreamKey Stream);

/// <summary>A recording was closed and finalized (SRS's <c>on_dvr</c>).</summary>
public sealed record DvrFileClosed(StreamKey Stream, string Path, DateTimeOffset Start, TimeSpan Duration, long Size) : WorkerEvent(Stream);

/// <summary>An HLS segment was completed and published in the playlist (SRS's <c>on_hls</c>).</summary>
public sealed record HlsSegmentClosed(StreamKey Stream, string Path, string Uri, long Sequence, double Duration, string Playlist) : WorkerEvent(Stream);
