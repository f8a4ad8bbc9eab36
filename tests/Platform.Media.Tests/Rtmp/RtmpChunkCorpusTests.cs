using System.Buffers;
using Platform.Media.Rtmp;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Rtmp;

/// <summary>
/// Replays Corpus/chunk/*.bin (bytes after the handshake, each malformed or abusive) through a reader
/// with default options: each must end in a <see cref="MediaFormatException"/>, fed whole, one byte per
/// segment, or in small reads like a socket.
/// </summary>
public sealed class RtmpChunkCorpusTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in CorpusFiles.In("chunk"))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Corpus_is_present()
    {
        Assert.True(CorpusFiles.In("chunk").Count() >= 10);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Malformed_chunk_stream_is_rejected(string name)
    {
        var bytes = File.ReadAllBytes(CorpusFiles.In("chunk").Single(f => Path.GetFileName(f) == name));

        Assert.Throws<MediaFormatException>(() => ReadWhole(new ReadOnlySequence<byte>(bytes)));
        Assert.Throws<MediaFormatException>(() => ReadWhole(Segments.Split(bytes, 1)));
        Assert.Throws<MediaFormatException>(() => ReadIncrementally(bytes, 7));
    }

    private static void ReadWhole(ReadOnlySequence<byte> input)
    {
        using var chunkReader = new RtmpChunkReader();
        var reader = new SequenceReader<byte>(input);
        Drain(chunkReader, ref reader);
        Assert.Fail($"no error; {reader.Consumed} of {input.Length} bytes consumed");
    }

    private static void ReadIncrementally(byte[] bytes, int readSize)
    {
        using var chunkReader = new RtmpChunkReader();
        var consumed = 0;
        for (var end = Math.Min(readSize, bytes.Length); ; end = Math.Min(end + readSize, bytes.Length))
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, consumed, end - consumed));
            Drain(chunkReader, ref reader);
            consumed += (int)reader.Consumed;
            if (end == bytes.Length)
            {
                break;
            }
        }

        Assert.Fail($"no error; {consumed} of {bytes.Length} bytes consumed");
    }

    private static void Drain(RtmpChunkReader chunkReader, ref SequenceReader<byte> reader)
    {
        // Each successful call consumes at least one chunk, so this ends; the cap is a second guard.
        for (var i = 0; i <= reader.Length && chunkReader.TryReadMessage(ref reader, out var message); i++)
        {
            message.Dispose();
        }
    }
}
