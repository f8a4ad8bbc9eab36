using System.Buffers;
using Platform.Media;
using Platform.Media.Amf0;
using Platform.Media.Buffers;
using Platform.Media.Codecs;
using Platform.Media.Flv;

namespace Platform.Workers.Dvr;

/// <summary>
/// What finalizing a recording needs to know about its .tmp file, gathered tag by tag: by
/// <see cref="FlvRecording"/> as it writes and by <see cref="DvrRecovery"/> as it reads a leftover back, so
/// that both build the same final file. Positions are offsets in the .tmp file.
/// </summary>
internal sealed class FlvFileIndex
{
    private readonly List<uint> _keyframeTimes = [];
    private readonly List<long> _keyframePositions = [];

    /// <summary>The stream's metadata, from an onMetaData tag written first in the .tmp (which is then dropped).</summary>
    public Amf0Object? Metadata { get; private set; }

    /// <summary>Where the copied tags start in the .tmp (after the header and the leading onMetaData tag).</summary>
    public long DataStart { get; private set; } = FlvWriter.FileHeaderLength;

    /// <summary>End of the last complete tag in the .tmp.</summary>
    public long DataEnd { get; private set; } = FlvWriter.FileHeaderLength;

    /// <summary>Tags to copy (every tag except the leading onMetaData).</summary>
    public int TagCount { get; private set; }

    public uint LastTimestamp { get; private set; }

    public bool HasAudio { get; private set; }

    public bool HasVideo { get; private set; }

    /// <summary>Width and height from the first video sequence header, when readable.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>FLV codec ids of the first video and audio tags (7 AVC, 12 HEVC, or an E-RTMP FourCC; 10 AAC...).</summary>
    public double? VideoCodecId { get; private set; }

    public double? AudioCodecId { get; private set; }

    public List<uint> KeyframeTimes => _keyframeTimes;

    public List<long> KeyframePositions => _keyframePositions;

    /// <summary>
    /// Records one complete tag of the .tmp that starts at <paramref name="position"/>. The flags are those
    /// the tag was written with (a reader derives them with <see cref="VideoTag"/> and <see cref="AudioTag"/>).
    /// </summary>
    public void Add(FlvTagType type, uint timestamp, ReadOnlySpan<byte> payload, long position, bool isKeyFrame, bool isSequenceHeader)
    {
        var end = position + FlvWriter.GetTagLength(payload.Length);
        DataEnd = end;
        if (type == FlvTagType.Script && position == FlvWriter.FileHeaderLength && TagCount == 0 &&
            TryParseMetadata(payload, out var metadata))
        {
            Metadata = metadata;
            DataStart = end;
            return;
        }

        TagCount++;
        LastTimestamp = Math.Max(LastTimestamp, timestamp);
        if (type == FlvTagType.Video)
        {
            HasVideo = true;
            VideoCodecId ??= VideoCodecIdOf(payload);
            if (isSequenceHeader && Width == 0 && CodecInfoParser.FromVideoSequenceHeader(payload) is { } info)
            {
                Width = info.Width;
                Height = info.Height;
            }
            else if (isKeyFrame && !isSequenceHeader)
            {
                _keyframeTimes.Add(timestamp);
                _keyframePositions.Add(position);
            }
        }
        else if (type == FlvTagType.Audio)
        {
            HasAudio = true;
            if (AudioCodecId is null && !payload.IsEmpty)
            {
                AudioCodecId = payload[0] >> 4;
            }
        }
    }

    /// <summary>The frame flags of a tag as read back from a file.</summary>
    public static void GetFlags(FlvTagType type, ReadOnlySpan<byte> payload, out bool isKeyFrame, out bool isSequenceHeader)
    {
        isKeyFrame = false;
        isSequenceHeader = false;
        if (type == FlvTagType.Video && VideoTag.TryParse(payload, out var video))
        {
            isKeyFrame = video.IsKeyFrame;
            isSequenceHeader = video.IsSequenceHeader;
        }
        else if (type == FlvTagType.Audio && AudioTag.TryParse(payload, out var audio))
        {
            isSequenceHeader = audio.IsSequenceHeader;
        }
    }

    /// <summary>An <c>onMetaData</c> (or <c>@setDataFrame onMetaData</c>) data body and its object.</summary>
    public static bool TryParseMetadata(ReadOnlySpan<byte> payload, out Amf0Object? metadata)
    {
        metadata = null;
        IReadOnlyList<object?> values;
        try
        {
            values = RtmpCommand.ParseValues(new ReadOnlySequence<byte>(payload.ToArray()));
        }
        catch (MediaFormatException)
        {
            return false;
        }

        var first = values.Count > 0 && values[0] is "@setDataFrame" ? 1 : 0;
        if (values.Count <= first || values[first] is not "onMetaData")
        {
            return false;
        }

        metadata = values.Count > first + 1 ? values[first + 1] as Amf0Object : null;
        return true;
    }

    /// <summary>An <c>onMetaData</c> data body for <paramref name="metadata"/> (dropping any <c>@setDataFrame</c>).</summary>
    public static byte[] NormalizeMetadata(Amf0Object? metadata)
    {
        using var writer = new PooledBufferWriter();
        Amf0Writer.WriteString(writer, "onMetaData");
        Amf0Writer.WriteValue(writer, metadata);
        return writer.WrittenSpan.ToArray();
    }

    private static double? VideoCodecIdOf(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        if ((payload[0] & 0x80) == 0)
        {
            return payload[0] & 0x0F;
        }

        // Enhanced RTMP: the FourCC as a number, as E-RTMP writes videocodecid in onMetaData.
        return payload.Length >= 5
            ? (double)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload[1..])
            : null;
    }
}
