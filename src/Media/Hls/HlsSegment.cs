namespace Platform.Media.Hls;

/// <summary>
/// One media segment of a live playlist: its media sequence number, URI (relative to the playlist),
/// duration in seconds, wall-clock time of its first frame, and whether it follows a discontinuity.
/// </summary>
public sealed record HlsSegment(long Sequence, string Uri, double Duration, DateTimeOffset ProgramDateTime, bool Discontinuity);
