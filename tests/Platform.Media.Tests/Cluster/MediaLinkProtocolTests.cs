using System.Buffers;
using System.Text;
using Platform.Media.Cluster;

namespace Platform.Media.Tests.Cluster;

public class MediaLinkProtocolTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a-cluster-secret-of-some-length");
    private static readonly byte[] Nonce = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];

    private static LinkHello Hello(string stream = "__defaultVhost__/live/s1", string node = "akka.tcp://platform@10.0.0.2:4053") =>
        new(stream, node, MediaLinkProtocol.Prove(Secret, Nonce, stream, node));

    private static byte[] HelloBytes(LinkHello hello)
    {
        var bytes = new byte[MediaLinkProtocol.HelloLength(hello)];
        Assert.Equal(bytes.Length, MediaLinkProtocol.WriteHello(bytes, hello));
        return bytes;
    }

    [Fact]
    public void Challenge_golden_bytes()
    {
        var bytes = new byte[MediaLinkProtocol.ChallengeLength];
        MediaLinkProtocol.WriteChallenge(bytes, Nonce);
        Assert.Equal("504C4E4B01" + "0102030405060708090A0B0C0D0E0F10", Convert.ToHexString(bytes));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var nonce = new byte[16];
        Assert.True(MediaLinkProtocol.TryReadChallenge(ref reader, nonce));
        Assert.Equal(Nonce, nonce);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Hello_golden_bytes_and_round_trip()
    {
        var hello = new LinkHello("v/a/s", "n", new byte[32]);
        var bytes = HelloBytes(hello);
        Assert.Equal("504C4E4B01" + new string('0', 64) + "01" + "6E" + "0005" + "762F612F73", Convert.ToHexString(bytes));

        var real = Hello();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(HelloBytes(real)));
        Assert.True(MediaLinkProtocol.TryReadHello(ref reader, out var read));
        Assert.Equal((real.Stream, real.Node), (read.Stream, read.Node));
        Assert.True(MediaLinkProtocol.Verify(Secret, Nonce, read));
    }

    [Fact]
    public void Proof_is_bound_to_the_secret_the_nonce_the_stream_and_the_node()
    {
        var hello = Hello();
        Assert.True(MediaLinkProtocol.Verify(Secret, Nonce, hello));
        Assert.False(MediaLinkProtocol.Verify(Encoding.UTF8.GetBytes("another-secret-entirely"), Nonce, hello));
        Assert.False(MediaLinkProtocol.Verify(Secret, new byte[16], hello));
        Assert.False(MediaLinkProtocol.Verify(Secret, Nonce, hello with { Stream = "__defaultVhost__/live/other" }));
        Assert.False(MediaLinkProtocol.Verify(Secret, Nonce, hello with { Node = "akka.tcp://platform@10.0.0.9:4053" }));
    }

    [Fact]
    public void Every_truncated_prefix_consumes_nothing_and_one_byte_segments_parse_the_same()
    {
        var bytes = HelloBytes(Hello());
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.False(MediaLinkProtocol.TryReadHello(ref reader, out _));
            Assert.Equal(0, reader.Consumed);
        }

        var split = new SequenceReader<byte>(TestSupport.Segments.Split(bytes, 1));
        Assert.True(MediaLinkProtocol.TryReadHello(ref split, out var hello));
        Assert.True(MediaLinkProtocol.Verify(Secret, Nonce, hello));

        var answer = new byte[64];
        var answerLength = MediaLinkProtocol.WriteAnswer(answer, new LinkAnswer(LinkAnswerCode.NotPublished, "not published on this node"));
        for (var length = 0; length < answerLength; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(answer, 0, length));
            Assert.False(MediaLinkProtocol.TryReadAnswer(ref reader, out _));
            Assert.Equal(0, reader.Consumed);
        }

        var full = new SequenceReader<byte>(new ReadOnlySequence<byte>(answer, 0, answerLength));
        Assert.True(MediaLinkProtocol.TryReadAnswer(ref full, out var read));
        Assert.Equal(new LinkAnswer(LinkAnswerCode.NotPublished, "not published on this node"), read);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "48454C4C4F", "signature" },                                      // "HELLO": not a link at all
        { "504C4E4B02", "version" },                                        // a version this node does not speak
        { "504C4E4B01" + new string('0', 64) + "00" + "0000", "length 0" }, // empty stream name
        { "504C4E4B01" + new string('0', 64) + "00" + "FFFF", "length 65535" }, // longer than any stream name
        { "504C4E4B01" + new string('0', 64) + "02FFFE" + "0001" + "61", "UTF-8" }, // a node name that is not text
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_hellos_are_refused_with_a_reason(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        var ex = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            MediaLinkProtocol.TryReadHello(ref reader, out _);
        });
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_answer_code_is_refused()
    {
        var ex = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([9, 0]));
            MediaLinkProtocol.TryReadAnswer(ref reader, out _);
        });
        Assert.Contains("unknown code 9", ex.Message, StringComparison.Ordinal);
    }
}
