using System.Buffers;
using Platform.Media.Flv;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Flv;

public class FlvWriterTests
{
    [Fact]
    public void File_header_matches_golden_bytes()
    {
        var bytes = new byte[FlvWriter.FileHeaderLength];
        FlvWriter.WriteFileHeader(bytes, hasAudio: true, hasVideo: true);
        Assert.Equal(FlvGolden.FileHeaderAudioVideo, bytes);

        FlvWriter.WriteFileHeader(bytes, hasAudio: false, hasVideo: true);
        Assert.Equal(0x01, bytes[4]);
        FlvWriter.WriteFileHeader(bytes, hasAudio: true, hasVideo: false);
        Assert.Equal(0x04, bytes[4]);
    }

    [Fact]
    public void Tags_match_golden_bytes()
    {
        Assert.Equal(FlvGolden.VideoTagExtendedTimestamp.Length, FlvWriter.GetTagLength(FlvGolden.VideoPayload.Length));

        var video = new byte[FlvWriter.GetTagLength(FlvGolden.VideoPayload.Length)];
        FlvWriter.WriteTag(video, FlvTagType.Video, 0x01234567, FlvGolden.VideoPayload);
        Assert.Equal(FlvGolden.VideoTagExtendedTimestamp, video);

        var script = new byte[FlvWriter.GetTagLength(FlvGolden.ScriptPayload.Length)];
        FlvWriter.WriteTag(script, FlvTagType.Script, 0, FlvGolden.ScriptPayload);
        Assert.Equal(FlvGolden.ScriptTag, script);

        var header = new byte[FlvWriter.TagHeaderLength];
        FlvWriter.WriteTagHeader(header, FlvTagType.Video, FlvGolden.VideoPayload.Length, 0x01234567);
        Assert.Equal(FlvGolden.VideoTagExtendedTimestamp[..11], header);
    }

    [Fact]
    public void Buffer_writer_overloads_match_span_ones()
    {
        var writer = new ArrayBufferWriter<byte>();
        FlvWriter.WriteFileHeader(writer, hasAudio: true, hasVideo: true);
        FlvWriter.WriteTag(writer, FlvTagType.Script, 0, FlvGolden.ScriptPayload);
        FlvWriter.WriteTag(writer, FlvTagType.Video, 0x01234567, Segments.Split(FlvGolden.VideoPayload, 1));
        Assert.Equal(FlvGolden.Stream, writer.WrittenSpan.ToArray());

        writer.Clear();
        FlvWriter.WriteTag(writer, FlvTagType.Video, 0x01234567, new ReadOnlySequence<byte>(FlvGolden.VideoPayload));
        Assert.Equal(FlvGolden.VideoTagExtendedTimestamp, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvWriter.WriteFileHeader(new byte[12], true, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvWriter.WriteTagHeader(new byte[11], FlvTagType.Audio, 0x1000000, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvWriter.WriteTagHeader(new byte[11], FlvTagType.Audio, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvWriter.WriteTag(new byte[15], FlvTagType.Audio, 0, [1]));
    }

    [Fact]
    public void Writer_and_reader_round_trip_the_whole_timestamp_range()
    {
        foreach (var timestamp in new uint[] { 0, 0xFFFFFF, 0x1000000, 0x7FFFFFFF, 0xFFFFFFFF })
        {
            var bytes = new byte[FlvWriter.GetTagLength(1)];
            FlvWriter.WriteTag(bytes, FlvTagType.Audio, timestamp, [0xAF]);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            Assert.True(FlvReader.TryReadTag(ref reader, 16, out var tag));
            Assert.Equal((FlvTagType.Audio, timestamp, 1), (tag.Type, tag.Timestamp, tag.DataSize));
        }
    }
}
