using System.Buffers.Binary;
using Platform.Media.Flv;
using Platform.Streams.Hub;

namespace Platform.Workers.Dvr;

/// <summary>
/// One recording file. Tags are appended to <see cref="TempPath"/> (<c>final + ".tmp"</c>) through a buffered
/// <see cref="FileStream"/>; each tag is written whole, so the file on disk is always a valid FLV up to its
/// last complete tag and <see cref="DvrRecovery"/> can finish it after a crash. <see cref="Close"/> writes the
/// final file with its onMetaData (duration, size, keyframe index) and removes the .tmp.
/// When the stream has video the file starts at the first video keyframe, preceded by the latest metadata and
/// sequence headers; an audio-only stream starts at once. Timestamps in the file start at 0.
/// Not thread-safe: one writer (the recorder that reads the hub) drives it.
/// </summary>
public sealed partial class FlvRecording : IDisposable
{
    /// <summary>Size of the FileStream buffer: bytes are pushed to the OS when it fills or on <see cref="Flush"/>.</summary>
    public const int WriteBufferSize = 64 * 1024;

    private readonly FileStream _stream;
    private readonly TimeProvider _time;
    private readonly bool? _declaredVideo;
    private readonly FlvFileIndex _index = new();
    private byte[]? _metadata;
    private byte[]? _videoHeader;
    private byte[]? _audioHeader;
    private bool _sawVideo;
    private bool _metadataHasVideo;
    private bool _started;
    private bool _videoKeyFrameWritten;
    private uint _baseTimestamp;
    private DateTimeOffset _start;
    private long _position;
    private bool _closed;
    private bool _faulted;

    private FlvRecording(string finalPath, TimeProvider time, bool? hasVideo)
    {
        FinalPath = Path.GetFullPath(finalPath);
        TempPath = FinalPath + ".tmp";
        _time = time;
        _declaredVideo = hasVideo;
        _stream = FreshFile.Create(TempPath, WriteBufferSize);
        Span<byte> header = stackalloc byte[FlvWriter.FileHeaderLength];
        FlvWriter.WriteFileHeader(header, hasAudio: true, hasVideo: true);
        _stream.Write(header);
        _position = FlvWriter.FileHeaderLength;
    }

    public string FinalPath { get; }

    public string TempPath { get; }

    /// <summary>Timestamp of the latest tag written (the file starts at 0).</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(_index.LastTimestamp);

    /// <summary>Bytes written to the .tmp so far, header included (some may still be in the buffer).</summary>
    public long Bytes => _position;

    /// <summary>True once the first tag was written (after the keyframe wait).</summary>
    public bool HasStarted => _started;

    /// <summary>
    /// Starts a recording that will end up at <paramref name="finalPath"/>; its directory is created.
    /// <paramref name="hasVideo"/>: true waits for a video keyframe, false starts with the first audio frame,
    /// null decides at the first audio frame: it waits if a video sequence header, a video frame or metadata
    /// announcing video was seen, and starts at once otherwise.
    /// </summary>
    public static FlvRecording Create(string finalPath, TimeProvider? time = null, bool? hasVideo = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(finalPath);
        return new FlvRecording(finalPath, time ?? TimeProvider.System, hasVideo);
    }

    /// <summary>
    /// Starts the next file of the same stream (segment plan): it knows this one's latest metadata, sequence
    /// headers and whether there is video, so it starts at the next keyframe with everything a player needs.
    /// </summary>
    public FlvRecording CreateNext(string finalPath)
    {
        var next = Create(finalPath, _time, _declaredVideo ?? (_sawVideo || _metadataHasVideo ? true : null));
        next._metadata = _metadata;
        next._videoHeader = _videoHeader;
        next._audioHeader = _audioHeader;
        next._sawVideo = _sawVideo;
        next._metadataHasVideo = _metadataHasVideo;
        return next;
    }

    /// <summary>Writes one frame of the hub.</summary>
    public void Write(MediaFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Write(frame.Kind, frame.Timestamp, frame.Payload, frame.IsKeyFrame, frame.IsSequenceHeader);
    }

    /// <summary>
    /// Writes one frame (an FLV tag body). Metadata and sequence headers are remembered and written first when
    /// the file starts; frames before the start are dropped, as are video frames before the first keyframe.
    /// </summary>
    public void Write(FrameKind kind, uint timestamp, ReadOnlySpan<byte> payload, bool isKeyFrame, bool isSequenceHeader)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ThrowIfFaulted();
        switch (kind)
        {
            case FrameKind.Data:
                WriteData(timestamp, payload);
                break;
            case FrameKind.Video:
                WriteVideo(timestamp, payload, isKeyFrame, isSequenceHeader);
                break;
            case FrameKind.Audio:
                WriteAudio(timestamp, payload, isSequenceHeader);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an audio, video or data frame.");
        }
    }

    /// <summary>
    /// Pushes buffered tags to the operating system, so that they survive the process; with
    /// <paramref name="toDisk"/> also to the storage device (fsync), so that they survive a power loss.
    /// </summary>
    public void Flush(bool toDisk = false)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ThrowIfFaulted();
        try
        {
            _stream.Flush(toDisk);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Finishes the recording: writes the final file (metadata with duration, size and keyframe index, then the
    /// tags) and deletes the .tmp. Returns null, after deleting the .tmp, when no tag was written. After a
    /// failed write (disk full...), the file is finished from what reached the disk, as recovery would. An
    /// <see cref="IOException"/> here leaves the .tmp in place for <see cref="DvrRecovery"/>.
    /// </summary>
    public DvrFile? Close()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _closed = true;
        if (_faulted)
        {
            try
            {
                _stream.Dispose();
            }
            catch (IOException)
            {
                // The buffer could not be written either: what is on disk is what recovery gets.
            }

            return DvrRecovery.Recover(TempPath, _started ? _start : null);
        }

        _stream.Dispose();
        if (!_started || _index.TagCount == 0)
        {
            File.Delete(TempPath);
            return null;
        }

        return FlvFinalizer.Finalize(TempPath, FinalPath, _index, _start);
    }

    /// <summary>
    /// Closes the file without finalizing it (as a crash would): the .tmp stays for
    /// <see cref="DvrRecovery.FinalizeLeftovers"/>. Does nothing after <see cref="Close"/>.
    /// </summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _stream.Dispose();
    }

    private void WriteTag(FlvTagType type, uint timestamp, ReadOnlySpan<byte> payload, bool isKeyFrame, bool isSequenceHeader)
    {
        // Validates the size before anything reaches the stream: a tag is either written whole or not at all.
        Span<byte> header = stackalloc byte[FlvWriter.TagHeaderLength];
        var relative = Relative(timestamp);
        FlvWriter.WriteTagHeader(header, type, payload.Length, relative);
        Span<byte> trailer = stackalloc byte[FlvWriter.PreviousTagSizeLength];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, (uint)(FlvWriter.TagHeaderLength + payload.Length));
        try
        {
            _stream.Write(header);
            _stream.Write(payload);
            _stream.Write(trailer);
        }
        catch
        {
            // Part of the tag may be in the file: nothing more is appended after it.
            _faulted = true;
            throw;
        }

        _index.Add(type, relative, payload, _position, isKeyFrame, isSequenceHeader);
        _position += FlvWriter.GetTagLength(payload.Length);
    }

    private void ThrowIfFaulted()
    {
        if (_faulted)
        {
            throw new InvalidOperationException($"Writing '{TempPath}' failed earlier; the recording can only be closed.");
        }
    }

    /// <summary>Milliseconds since the first tag; a frame slightly older than the first is written at 0.</summary>
    private uint Relative(uint timestamp)
    {
        var relative = unchecked(timestamp - _baseTimestamp);
        return relative > int.MaxValue ? 0 : relative;
    }
}
