using System.Buffers;
using System.Runtime.InteropServices;
using Platform.Media.Amf0;
using Platform.Media.Codecs;
using Platform.Media.Flv;

namespace Platform.Load;

/// <summary>
/// An FLV file read into memory as a list of tags (payloads are slices of the file bytes), timestamps rebased
/// to start at 0. A script tag that starts with <c>onMetaData</c> gets the <c>@setDataFrame</c> prefix an
/// RTMP publisher sends.
/// </summary>
public sealed class FlvFileSource
{
    private const uint DefaultFrameInterval = 40;

    private FlvFileSource(List<MediaTag> tags, uint duration)
    {
        Tags = tags;
        Duration = duration;
    }

    public IReadOnlyList<MediaTag> Tags { get; }

    /// <summary>Length of one loop in milliseconds: last timestamp plus one frame interval.</summary>
    public uint Duration { get; }

    public static FlvFileSource Load(string path) => Parse(File.ReadAllBytes(path));

    public static FlvFileSource Parse(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(file));
        if (!FlvReader.TryReadFileHeader(ref reader, out _))
        {
            throw new InvalidDataException("FLV file is shorter than its header.");
        }

        var tags = new List<MediaTag>();
        uint? first = null;
        var video = new TrackEnd();
        var audio = new TrackEnd();
        uint last = 0;
        while (FlvReader.TryReadTag(ref reader, FlvWriter.MaxDataSize, out var tag))
        {
            first ??= tag.Timestamp;
            var timestamp = unchecked(tag.Timestamp - first.Value);
            var data = MemoryOf(file, tag.Data);
            var type = (byte)tag.Type;
            var isHeader = false;
            var isKey = false;
            if (tag.Type == FlvTagType.Script)
            {
                data = WithSetDataFrame(data);
                isHeader = true;
            }
            else if (tag.Type == FlvTagType.Video && VideoTag.TryParse(data.Span, out var videoInfo))
            {
                isHeader = videoInfo.IsSequenceHeader;
                isKey = videoInfo.IsKeyFrame && !videoInfo.IsSequenceHeader && !videoInfo.IsCommandFrame;
                video.Add(timestamp, isHeader);
            }
            else if (tag.Type == FlvTagType.Audio && AudioTag.TryParse(data.Span, out var audioInfo))
            {
                isHeader = audioInfo.IsSequenceHeader;
                audio.Add(timestamp, isHeader);
            }

            last = Math.Max(last, timestamp);
            tags.Add(new MediaTag(type, timestamp, data, isHeader, isKey));
        }

        if (tags.Count == 0)
        {
            throw new InvalidDataException("FLV file has no tags.");
        }

        var end = Math.Max(video.End, audio.End);
        return new FlvFileSource(tags, end > 0 ? end : last + DefaultFrameInterval);
    }

    private static ReadOnlyMemory<byte> MemoryOf(byte[] file, ReadOnlySequence<byte> data)
    {
        // The file is one array, so every tag's data is one contiguous slice of it.
        return MemoryMarshal.TryGetArray(data.First, out var segment) && segment.Array == file
            ? file.AsMemory(segment.Offset, (int)data.Length)
            : data.ToArray();
    }

    /// <summary>Where a track ends: its last frame's timestamp plus its last frame interval.</summary>
    private struct TrackEnd
    {
        private uint _last;
        private uint _interval;
        private bool _any;

        public readonly uint End => _any ? _last + (_interval > 0 ? _interval : DefaultFrameInterval) : 0;

        public void Add(uint timestamp, bool isHeader)
        {
            if (isHeader)
            {
                return;
            }

            if (_any && timestamp > _last)
            {
                _interval = timestamp - _last;
            }

            _last = _any ? Math.Max(_last, timestamp) : timestamp;
            _any = true;
        }
    }

    private static ReadOnlyMemory<byte> WithSetDataFrame(ReadOnlyMemory<byte> data)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data));
        if (!Amf0Reader.TryReadString(ref reader, out var name) || name != "onMetaData")
        {
            return data;
        }

        var output = new ArrayBufferWriter<byte>(data.Length + 16);
        Amf0Writer.WriteString(output, "@setDataFrame");
        output.Write(data.Span);
        return output.WrittenMemory;
    }
}
