using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Amf0;

/// <summary>Replays the checked-in malformed payloads (Corpus/amf0/*.bin) through the command parser.</summary>
public class Amf0CorpusTests
{
    public static TheoryData<string> Files()
    {
        var names = new TheoryData<string>();
        foreach (var file in CorpusFiles.In("amf0"))
        {
            names.Add(Path.GetFileName(file));
        }

        return names;
    }

    [Fact]
    public void The_corpus_is_found()
    {
        Assert.True(Files().Count >= 10);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_corpus_file_is_rejected_with_MediaFormatException(string name)
    {
        var path = Path.Combine(Path.GetDirectoryName(CorpusFiles.In("amf0").First())!, name);
        var bytes = File.ReadAllBytes(path);
        Assert.Throws<MediaFormatException>(() => RtmpCommand.Parse(new ReadOnlySequence<byte>(bytes)));
        Assert.Throws<MediaFormatException>(() => RtmpCommand.Parse(Segments.Split(bytes, 1)));
    }
}
