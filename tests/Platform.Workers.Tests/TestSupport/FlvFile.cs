using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Codecs;
using Platform.Media.Flv;
using Platform.Streams.Hub;

namespace Platform.Workers.Tests.TestSupport;

/// <summary>One tag of an FLV file read whole into memory, with where it starts and its frame flags.</summary>
public sealed record TestTag(FlvTagType Type, uint Timestamp, byte[] Payload, long Position)
{
    public FrameKind Kind => (FrameKind)Type;

    public bool IsKeyFrame => Type == FlvTagType.Video && VideoTag.TryParse(Payload, out var video) && video.IsKeyFrame;

    public bool IsSequenceHeader => Type switch
    {
        FlvTagType.Video => VideoTag.TryParse(Payload, out var video) && video.IsSequenceHeader,
        FlvTagType.Audio => AudioTag.TryParse(Payload, out var audio) && audio.IsSequenceHeader,
        _ => false,
    };

    /// <summary>A video keyframe that is not a sequence header.</summary>
    public bool IsVideoKeyFrame => Type == FlvTagType.Video && IsKeyFrame && !IsSequenceHeader;
}

/// <summary>Reads test FLV files with the media library's reader.</summary>
public static class FlvFile
{
    public static List<TestTag> ReadTags(string path) => ReadTags(File.ReadAllBytes(path));

    /// <summary>Every complete tag (a truncated tail is ignored).</summary>
    public static List<TestTag> ReadTags(byte[] bytes)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(FlvReader.TryReadFileHeader(ref reader, out _));
        var tags = new List<TestTag>();
        while (true)
        {
            var position = reader.Consumed;
            if (!FlvReader.TryReadTag(ref reader, FlvWriter.MaxDataSize, out var tag))
            {
                return tags;
            }

            tags.Add(new TestTag(tag.Type, tag.Timestamp, tag.Data.ToArray(), position));
        }
    }

    /// <summary>The tag that starts exactly at <paramref name="position"/>.</summary>
    public static TestTag ReadTagAt(byte[] bytes, long position)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, (int)position, bytes.Length - (int)position));
        Assert.True(FlvReader.TryReadTag(ref reader, FlvWriter.MaxDataSize, out var tag), $"No complete tag at {position}.");
        return new TestTag(tag.Type, tag.Timestamp, tag.Data.ToArray(), position);
    }

    /// <summary>The object of an onMetaData script tag.</summary>
    public static Amf0Object Metadata(TestTag tag)
    {
        Assert.Equal(FlvTagType.Script, tag.Type);
        var values = RtmpCommand.ParseValues(new ReadOnlySequence<byte>(tag.Payload));
        Assert.Equal("onMetaData", values[0]);
        return Assert.IsType<Amf0Object>(values[1]);
    }
}
