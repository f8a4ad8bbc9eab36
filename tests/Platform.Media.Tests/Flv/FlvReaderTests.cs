using System.Buffers;
using Platform.Media.Codecs;
using Platform.Media.Flv;
using Platform.Media.Tests.Codecs;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Flv;

public class FlvReaderTests
{
    private const int MaxDataSize = 1 << 20;

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(3)]
    public void Golden_stream_reads_back(int segmentSize)
    {
        var reader = new SequenceReader<byte>(Segments.Split(FlvGolden.Stream, segmentSize));
        Assert.True(FlvReader.TryReadFileHeader(ref reader, out var header));
        Assert.Equal(new FlvFileHeader(1, true, true, 9), header);
        Assert.Equal(13, reader.Consumed);

        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var script));
        Assert.Equal((FlvTagType.Script, 0u, 21), (script.Type, script.Timestamp, script.DataSize));
        Assert.Equal(FlvGolden.ScriptPayload, script.Data.ToArray());

        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var video));
        Assert.Equal((FlvTagType.Video, 0x01234567u, 6), (video.Type, video.Timestamp, video.DataSize));
        Assert.Equal(FlvGolden.VideoPayload, video.Data.ToArray());

        Assert.True(reader.End);
        Assert.False(FlvReader.TryReadTag(ref reader, MaxDataSize, out _));
    }

    [Fact]
    public void Ffmpeg_stream_start_reads_to_codec_info()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Samples.FfmpegFlvStart));
        Assert.True(FlvReader.TryReadFileHeader(ref reader, out var header));
        Assert.Equal(new FlvFileHeader(1, true, true, 9), header);
        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var metadata));
        Assert.Equal((FlvTagType.Script, 293), (metadata.Type, metadata.DataSize));
        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var video));
        Assert.Equal(
            new VideoCodecInfo("H264", "High", "3.1", 1280, 720) { Rfc6381 = "avc1.64001f" },
            CodecInfoParser.FromVideoSequenceHeader(video.Data.ToArray()));
        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var audio));
        Assert.Equal(new AudioCodecInfo("AAC", 44100, 2, "LC"), CodecInfoParser.FromAudioTag(audio.Data.ToArray()));

        // The sample ends with the AAC sequence header's PreviousTagSize.
        Assert.True(reader.End);
        Assert.False(FlvReader.TryReadTag(ref reader, MaxDataSize, out _));
    }

    [Fact]
    public void Every_truncated_prefix_returns_false_and_consumes_nothing()
    {
        for (var length = 0; length < FlvGolden.FileHeaderAudioVideo.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(FlvGolden.FileHeaderAudioVideo, 0, length));
            Assert.False(FlvReader.TryReadFileHeader(ref reader, out _), $"header prefix {length}");
            Assert.Equal(0, reader.Consumed);
        }

        foreach (var tag in new[] { FlvGolden.ScriptTag, FlvGolden.VideoTagExtendedTimestamp })
        {
            for (var length = 0; length < tag.Length; length++)
            {
                var reader = new SequenceReader<byte>(Segments.Split(tag[..length], 2));
                Assert.False(FlvReader.TryReadTag(ref reader, MaxDataSize, out _), $"tag prefix {length}");
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(64)]
    public void Bytes_fed_a_few_at_a_time_give_the_same_tags(int chunk)
    {
        // What a pipe loop does: parse what is there, keep the unconsumed rest, append more, parse again.
        var stream = Samples.FfmpegFlvStart;
        var pending = new List<byte>();
        var headerRead = false;
        var tags = new List<(FlvTagType, uint, byte[])>();
        for (var offset = 0; offset < stream.Length; offset += chunk)
        {
            pending.AddRange(stream.Skip(offset).Take(chunk));
            var reader = new SequenceReader<byte>(Segments.Split([.. pending], 1));
            if (!headerRead)
            {
                headerRead = FlvReader.TryReadFileHeader(ref reader, out _);
            }

            while (headerRead && FlvReader.TryReadTag(ref reader, MaxDataSize, out var tag))
            {
                tags.Add((tag.Type, tag.Timestamp, tag.Data.ToArray()));
            }

            pending.RemoveRange(0, (int)reader.Consumed);
        }

        Assert.Equal([FlvTagType.Script, FlvTagType.Video, FlvTagType.Audio], tags.Select(t => t.Item1));
        Assert.Equal([293, 52, 7], tags.Select(t => t.Item3.Length));
        Assert.Equal(Samples.AvcHigh31_720pTag, tags[1].Item3);
        Assert.Empty(pending);
    }

    [Fact]
    public void Larger_data_offset_is_skipped_and_previous_tag_size_zero_is_accepted()
    {
        byte[] header = [0x46, 0x4C, 0x56, 0x01, 0x04, 0x00, 0x00, 0x00, 0x0C, 0xEE, 0xEE, 0xEE, 0x00, 0x00, 0x00, 0x00];
        byte[] tag = [.. FlvGolden.ScriptTag[..^4], 0x00, 0x00, 0x00, 0x00];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. header, .. tag]));
        Assert.True(FlvReader.TryReadFileHeader(ref reader, out var h));
        Assert.Equal(new FlvFileHeader(1, true, false, 12), h);
        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var script));
        Assert.Equal(FlvGolden.ScriptPayload, script.Data.ToArray());
        Assert.True(reader.End);
    }

    [Fact]
    public void Empty_tag_is_allowed()
    {
        byte[] tag = [0x08, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0x0B];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(tag));
        Assert.True(FlvReader.TryReadTag(ref reader, MaxDataSize, out var empty));
        Assert.Equal((FlvTagType.Audio, 10u, 0), (empty.Type, empty.Timestamp, empty.DataSize));
    }

    [Theory]
    [InlineData("464c58", "FLV header signature 464C58 is not 'FLV' (464C56).")]
    [InlineData("47", "FLV header signature 47 is not 'FLV' (464C56).")]
    [InlineData("464c56010500000005", "FLV header data offset 5 is less than 9.")]
    [InlineData("464c56010500001388", "FLV header data offset 5000 exceeds 1024.")]
    public void Malformed_header(string hex, string message)
    {
        var data = Convert.FromHexString(hex);
        var error = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data));
            FlvReader.TryReadFileHeader(ref reader, out _);
        });
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("0910000000000000000000", "FLV tag data size 1048576 exceeds the limit of 65536 bytes.")]
    [InlineData("c9000000000000000000", "FLV tag reserved bits are set (first byte 0xC9).")]
    [InlineData("29000000000000000000", "FLV tag is encrypted (filter bit set): not supported.")]
    [InlineData("07000000000000000000", "FLV tag type 7 is not audio (8), video (9) or script data (18).")]
    [InlineData("090000060000000000000017010000000000000010", "FLV previous tag size 16 does not match tag size 17 (11 + data size 6).")]
    [InlineData("0900000600000000000000170100000000ffffffff", "FLV previous tag size 4294967295 does not match tag size 17 (11 + data size 6).")]
    public void Malformed_tag(string hex, string message)
    {
        // The header alone is enough to reject a tag: an oversize one is refused before buffering its data.
        var data = Convert.FromHexString(hex.Length == 20 ? hex + "00" : hex);
        var consumed = -1L;
        var error = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(Segments.Split(data, 1));
            try
            {
                FlvReader.TryReadTag(ref reader, 65536, out _);
            }
            finally
            {
                consumed = reader.Consumed;
            }
        });
        Assert.Equal(message, error.Message);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Random_streams_only_ever_throw_media_format_exceptions()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var body = new byte[random.Next(0, 120)];
            random.NextBytes(body);
            if (i % 2 == 0)
            {
                // Plausible tag starts so the fuzzing reaches past the first byte checks.
                for (var p = 0; p + 11 < body.Length; p += random.Next(5, 40))
                {
                    body[p] = (byte)(8 + random.Next(2));
                    body[p + 1] = 0;
                }
            }

            byte[] data = [.. FlvGolden.FileHeaderAudioVideo, .. body];
            try
            {
                var reader = new SequenceReader<byte>(Segments.Split(data, 1 + (i % 7)));
                Assert.True(FlvReader.TryReadFileHeader(ref reader, out _));
                while (FlvReader.TryReadTag(ref reader, 4096, out var tag))
                {
                    Assert.Equal(tag.DataSize, tag.Data.Length);
                }
            }
            catch (MediaFormatException)
            {
            }
        }
    }
}
