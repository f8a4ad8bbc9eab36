using System.Collections.Concurrent;

namespace Platform.Api.Endpoints;

/// <summary>
/// What a relaying node keeps of the HLS files it fetched, so that its viewers ride out the seconds when the
/// stream's packager moves to another node (its node drains or dies and takes its files along): the last
/// playlist of each stream, served for at most <see cref="StaleFor"/> after it was fetched, and the segments
/// fetched (and prefetched) lately, within <see cref="MaxBytes"/>, oldest dropped first.
/// </summary>
public sealed class HlsRelayCache(long maxBytes = 64L * 1024 * 1024, TimeSpan? staleFor = null, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, (byte[] Bytes, DateTimeOffset At)> _playlists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _segments = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _bytes;

    public long MaxBytes { get; } = maxBytes;

    public TimeSpan StaleFor { get; } = staleFor ?? TimeSpan.FromSeconds(15);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Playlist(string path, byte[] bytes) => _playlists[path] = (bytes, _time.GetUtcNow());

    /// <summary>The last playlist fetched for <paramref name="path"/>, if it is recent enough to stand in for the live one.</summary>
    public byte[]? StalePlaylist(string path) =>
        _playlists.TryGetValue(path, out var last) && _time.GetUtcNow() - last.At <= StaleFor ? last.Bytes : null;

    public bool HasSegment(string path) => _segments.ContainsKey(path);

    public byte[]? Segment(string path) => _segments.GetValueOrDefault(path);

    public void AddSegment(string path, byte[] bytes)
    {
        if (bytes.Length > MaxBytes || !_segments.TryAdd(path, bytes))
        {
            return;
        }

        _order.Enqueue(path);
        Interlocked.Add(ref _bytes, bytes.Length);
        while (Interlocked.Read(ref _bytes) > MaxBytes && _order.TryDequeue(out var oldest))
        {
            if (_segments.TryRemove(oldest, out var dropped))
            {
                Interlocked.Add(ref _bytes, -dropped.Length);
            }
        }
    }
}
