using System.Buffers;
using Platform.Media.Flv;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Flv;

/// <summary>
/// Replays the checked-in malformed FLV streams (Corpus/flv/*.bin: bad signature, an HTTP error page,
/// bad data offsets, reserved/filter bits, unknown tag types, an oversize tag, wrong PreviousTagSize,
/// garbage after valid tags). Each must be rejected with a <see cref="MediaFormatException"/>, whole or
/// split into one-byte segments.
/// </summary>
public class FlvCorpusTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in CorpusFiles.In("flv"))
        {
            if (file.EndsWith(".bin", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Fact]
    public void Corpus_is_present() => Assert.True(Files().Count >= 10);

    [Theory]
    [MemberData(nameof(Files))]
    public void Malformed_stream_is_rejected(string name)
    {
        var path = CorpusFiles.In("flv").Single(f => Path.GetFileName(f) == name);
        var bytes = File.ReadAllBytes(path);
        foreach (var segmentSize in new[] { bytes.Length, 1 })
        {
            var error = Assert.Throws<MediaFormatException>(() => Replay(Segments.Split(bytes, segmentSize)));
            Assert.StartsWith("FLV ", error.Message, StringComparison.Ordinal);
        }
    }

    private static void Replay(ReadOnlySequence<byte> stream)
    {
        var reader = new SequenceReader<byte>(stream);
        if (!FlvReader.TryReadFileHeader(ref reader, out _))
        {
            return;
        }

        while (FlvReader.TryReadTag(ref reader, 1 << 20, out _))
        {
        }
    }
}
