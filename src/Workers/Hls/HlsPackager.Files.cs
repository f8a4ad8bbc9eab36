using Microsoft.Extensions.Logging;
using Platform.Media.Hls;
using Platform.Streams.Workers;

namespace Platform.Workers.Hls;

public sealed partial class HlsPackager
{
    private void OpenSegment(long sequence, long startMs)
    {
        _segmentWallClock = _time.GetUtcNow();
        var relative = HlsNames.Segment(_settings.TsFile, _stream, sequence, _segmentWallClock);
        var path = HlsNames.Resolve(_settings.Root, relative);
        if (path is null)
        {
            _log.LogWarning("stream {Stream}: HLS segment name {Name} leaves the HLS root; segment skipped", _stream, relative);
            return;
        }

        _segmentName = relative;
        _segmentTemp = path + ".tmp";
        _segmentStartMs = startMs;
        _segmentSequence = sequence;
        _segment = FreshFile.Create(_segmentTemp, 64 * 1024);
        if (_settings.Deterministic)
        {
            // A segment's bytes must not depend on when this packager joined the stream.
            _muxer.ResetContinuityCounters();
        }

        _muxer.WriteTables(_buffer);
        _segment.Write(_buffer.WrittenSpan);
        _buffer.Clear();
    }

    /// <summary>Completes the open segment (ending at <paramref name="endMs"/>) and publishes the playlist.</summary>
    private void CloseSegment(long endMs, bool publish = true)
    {
        if (_segment is null)
        {
            return;
        }

        _segment.Dispose();
        _segment = null;
        var path = _segmentTemp![..^4];
        var duration = Math.Max(0, endMs - _segmentStartMs) / 1000.0;
        if (!publish || duration <= 0)
        {
            TryDelete(_segmentTemp);
            return;
        }

        File.Move(_segmentTemp, path, overwrite: true);
        var sequence = _segmentSequence;
        if (_window.Count > 0 && sequence != _window[^1].Sequence + 1)
        {
            // Numbers must stay consecutive in a playlist; a gap (deterministic mode across a long
            // keyframe interval) restarts the window.
            DropWindow();
        }

        _window.Add(new HlsSegment(sequence, HlsNames.UriFromPlaylist(_stream, _segmentName!), duration, _segmentWallClock, _discontinuity));
        _windowFiles.Add(path);
        _discontinuity = false;
        SegmentsWritten++;
        TrimWindow();
        WritePlaylist();
        _log.LogHlsSegment(_stream.ToString(), _segmentName!, sequence, duration);
        _onSegment?.Invoke(new HlsSegmentClosed(_stream, path, _window[^1].Uri, sequence, duration, PlaylistPath));
    }

    private void TrimWindow()
    {
        var total = 0.0;
        foreach (var segment in _window)
        {
            total += segment.Duration;
        }

        while (_window.Count > 1 && total - _window[0].Duration >= _settings.Window.TotalSeconds)
        {
            total -= _window[0].Duration;
            _window.RemoveAt(0);
            TryDelete(_windowFiles[0]);
            _windowFiles.RemoveAt(0);
        }
    }

    private void DropWindow()
    {
        foreach (var file in _windowFiles)
        {
            TryDelete(file);
        }

        _window.Clear();
        _windowFiles.Clear();
    }

    private void WritePlaylist()
    {
        FreshFile.Replace(PlaylistPath, System.Text.Encoding.UTF8.GetBytes(HlsPlaylist.Write(_window, ended: false)));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
