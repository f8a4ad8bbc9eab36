using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Platform.Sources.Config;
using Platform.Streams;
using Platform.Workers.Engines;

namespace Platform.Sources.Workers;

/// <summary>What a node gives its source workers: its stream control, its ffmpeg settings and listener, loggers, and the origins' cursors.</summary>
public sealed class SourceHost(Func<StreamControl> control, EngineHost ffmpeg, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, int> _cursors = new(StringComparer.Ordinal);

    public StreamControl Control => control();

    /// <summary>The ffmpeg binary, supervision settings, this node's RTMP listener and the child reaper (shared with the engines).</summary>
    public EngineHost Ffmpeg { get; } = ffmpeg;

    public ILoggerFactory Loggers { get; } = loggers;

    /// <summary>
    /// Which of a list of origins a pull starts with: the one that served last (or the next after the last
    /// that failed), so that failover goes round the list rather than always back to the first.
    /// </summary>
    public int FirstOrigin(SourceSpec spec) => spec.Urls.Count < 2 ? 0 : _cursors.GetValueOrDefault(CursorKey(spec)) % spec.Urls.Count;

    public void OriginUsed(SourceSpec spec, int index)
    {
        if (spec.Urls.Count > 1)
        {
            _cursors[CursorKey(spec)] = index;
        }
    }

    private static string CursorKey(SourceSpec spec) => string.Join('\n', spec.Urls.Select(u => u.Replace(spec.Stream.Stream, string.Empty, StringComparison.Ordinal)));
}
