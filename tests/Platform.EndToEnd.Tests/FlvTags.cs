using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Flv;

namespace Platform.EndToEnd.Tests;

/// <summary>Reads recordings with the media library's FLV reader: complete tags only, a torn tail ignored.</summary>
public static class FlvTags
{
    /// <summary>The tags of a file, read while it may still be written.</summary>
    public static List<(FlvTagType Type, uint Timestamp, byte[] Data)> Read(string path)
    {
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        var tags = new List<(FlvTagType, uint, byte[])>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        if (!FlvReader.TryReadFileHeader(ref reader, out _))
        {
            return tags;
        }

        while (FlvReader.TryReadTag(ref reader, FlvWriter.MaxDataSize, out var tag))
        {
            tags.Add((tag.Type, tag.Timestamp, tag.Data.ToArray()));
        }

        return tags;
    }

    /// <summary>Timestamp of the last complete audio or video tag, in milliseconds (0 when none).</summary>
    public static uint LastMediaTimestamp(string path) =>
        Read(path).Where(t => t.Type is FlvTagType.Audio or FlvTagType.Video).Select(t => t.Timestamp).DefaultIfEmpty(0u).Max();

    /// <summary>The <c>duration</c> of the file's onMetaData, in seconds; null when there is none.</summary>
    public static double? MetadataDuration(string path)
    {
        foreach (var (type, _, data) in Read(path).Where(t => t.Type == FlvTagType.Script))
        {
            var values = RtmpCommand.ParseValues(new ReadOnlySequence<byte>(data));
            if (values.Count > 1 && values[0] is "onMetaData" && values[1] is Amf0Object metadata && metadata["duration"] is double duration)
            {
                return duration;
            }
        }

        return null;
    }
}
