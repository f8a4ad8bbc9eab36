namespace Platform.Sources.Pull;

/// <summary>
/// The remote says the stream does not exist or is not published (RTMP <c>NetStream.Play.StreamNotFound</c>, a
/// not-found or rejected error on <c>connect</c> or <c>play</c>; HTTP 404 or 410), or it ended or stayed silent
/// (no audio or video within the stall timeout) before a single media message: a server that makes players wait
/// for a publisher.
/// </summary>
public sealed class SourceNotFoundException(string reason) : Exception(reason);
