using System.Buffers;
using Platform.Media.Rtmp;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Rtmp;

public class RtmpHandshakeTests
{
    private const uint ClientTime = 0x01020304;
    private const uint ServerTime = 1000;

    [Fact]
    public void Plain_server_answer_matches_the_golden_bytes()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: false, ClientTime, ClientRandom());
        byte[] expectedC0C1 = [0x03, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, .. ClientRandom()];
        Assert.Equal(expectedC0C1, c0c1);

        var answer = new byte[RtmpHandshake.S0S1S2Size];
        var kind = RtmpHandshake.WriteS0S1S2(c0c1.AsSpan(1), answer, ServerTime, ServerRandom());

        Assert.Equal(HandshakeKind.Plain, kind);
        byte[] expected =
        [
            0x03,
            0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, .. ServerRandom().AsSpan(0, 1528),
            .. c0c1.AsSpan(1),
        ];
        Assert.Equal(expected, answer);
    }

    [Fact]
    public void Digest_client_C1_matches_an_independent_computation()
    {
        // Digest position and HMAC computed separately (Python hmac/hashlib) from the published algorithm:
        // offset block at 8, position = sum(c1[8..12]) % 728 + 12, key = first 30 bytes of the Flash Player key.
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: true, ClientTime, ClientRandom());
        var c1 = c0c1.AsSpan(1);
        Assert.Equal([0x01, 0x02, 0x03, 0x04, 0x0C, 0x00, 0x0D, 0x0E], c1[..8].ToArray());
        Assert.Equal(Convert.FromHexString("45BE86BEC618E2DEDDC175CDAAB4427AAD541F79C600B9B3D12D5D30E6008DDE"), c1.Slice(110, 32).ToArray());
        Assert.True(RtmpHandshake.ValidateC1Digest(c1));
    }

    [Fact]
    public void Digest_server_answer_in_the_second_layout_matches_an_independent_computation()
    {
        // A C1 signed in the other layout (offset block at 772), as some players send; vectors from Python.
        var c1 = new byte[RtmpHandshake.PacketSize];
        new byte[] { 0x01, 0x02, 0x03, 0x04, 0x0C, 0x00, 0x0D, 0x0E }.CopyTo(c1, 0);
        ClientRandom().CopyTo(c1, 8);
        Convert.FromHexString("9F9047A199B4332B12D8CC85B4F5377742E07693AC7A4973748F66343662AC5C").CopyTo(c1, 962);
        Assert.True(RtmpHandshake.ValidateC1Digest(c1));

        var answer = new byte[RtmpHandshake.S0S1S2Size];
        Assert.Equal(HandshakeKind.Digest, RtmpHandshake.WriteS0S1S2(c1, answer, ServerTime, ServerRandom()));

        var s1 = answer.AsSpan(1, 1536);
        var s2 = answer.AsSpan(1537, 1536);
        Assert.Equal([0x00, 0x00, 0x03, 0xE8, 0x0D, 0x0E, 0x0A, 0x0D], s1[..8].ToArray());
        Assert.Equal(Convert.FromHexString("0D68E2C5A9785FFED222BC3745424A31BC96F2B21E8322F037FB88C9E18748DA"), s1.Slice(1014, 32).ToArray());
        Assert.Equal(ServerRandom().AsSpan(1528, 1504).ToArray(), s2[..1504].ToArray());
        Assert.Equal(Convert.FromHexString("7A41DE33911957A81B70536BD7F3864950255F09738A3B4F29C6CC57E442B930"), s2[1504..].ToArray());

        var c2 = new byte[RtmpHandshake.PacketSize];
        var c2Random = new byte[RtmpHandshake.C2RandomLength];
        for (var i = 0; i < c2Random.Length; i++)
        {
            c2Random[i] = (byte)((i * 11) + 1);
        }

        Assert.Equal(HandshakeKind.Digest, RtmpHandshake.WriteC2(s1, c2, digest: true, c2Random));
        Assert.Equal(Convert.FromHexString("EABDD2F39A942EE8F5228059E133D090D28577F0B571388341B139CADE2C6B4E"), c2[1504..]);
    }

    [Fact]
    public void Digest_round_trip_between_our_client_and_our_server()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: true, time: 0);

        var server = new SequenceReader<byte>(Segments.Split(c0c1, 100));
        var c1 = new byte[RtmpHandshake.PacketSize];
        Assert.True(RtmpHandshake.TryReadC0C1(ref server, out var version, c1));
        Assert.Equal(3, version);
        Assert.True(server.End);

        var answer = new byte[RtmpHandshake.S0S1S2Size];
        Assert.Equal(HandshakeKind.Digest, RtmpHandshake.WriteS0S1S2(c1, answer, ServerTime));

        var client = new SequenceReader<byte>(Segments.Split(answer, 1));
        var s1 = new byte[RtmpHandshake.PacketSize];
        var s2 = new byte[RtmpHandshake.PacketSize];
        Assert.True(RtmpHandshake.TryReadS0S1S2(ref client, s1, s2));
        Assert.True(client.End);
        Assert.True(RtmpHandshake.ValidateS1Digest(s1));
        Assert.True(RtmpHandshake.ValidateS2Digest(s2, c1));

        var c2 = new byte[RtmpHandshake.PacketSize];
        Assert.Equal(HandshakeKind.Digest, RtmpHandshake.WriteC2(s1, c2, digest: true));
        var c2Reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(c2));
        var received = new byte[RtmpHandshake.PacketSize];
        Assert.True(RtmpHandshake.TryReadC2(ref c2Reader, received));
        Assert.True(RtmpHandshake.ValidateC2Digest(received, s1));

        // Any flipped byte breaks the signatures.
        s2[0] ^= 1;
        Assert.False(RtmpHandshake.ValidateS2Digest(s2, c1));
        received[1535] ^= 1;
        Assert.False(RtmpHandshake.ValidateC2Digest(received, s1));
        s1[700] ^= 1;
        Assert.False(RtmpHandshake.ValidateS1Digest(s1));
    }

    [Fact]
    public void Plain_round_trip_echoes_each_side()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: false, ClientTime);
        var c1 = c0c1.AsSpan(1).ToArray();
        Assert.False(RtmpHandshake.ValidateC1Digest(c1));

        var answer = new byte[RtmpHandshake.S0S1S2Size];
        Assert.Equal(HandshakeKind.Plain, RtmpHandshake.WriteS0S1S2(c1, answer, ServerTime));
        Assert.Equal(c1, answer[1537..]);
        Assert.Equal([0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00], answer[1..9]);

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(answer));
        var s1 = new byte[RtmpHandshake.PacketSize];
        Assert.True(RtmpHandshake.TryReadS0S1S2(ref reader, s1));
        Assert.False(RtmpHandshake.ValidateS1Digest(s1));

        // A digest client facing a plain server falls back to echoing S1.
        var c2 = new byte[RtmpHandshake.PacketSize];
        Assert.Equal(HandshakeKind.Plain, RtmpHandshake.WriteC2(s1, c2, digest: true));
        Assert.Equal(s1, c2);
    }

    [Fact]
    public void Wrong_version_byte_throws_as_soon_as_it_is_seen()
    {
        foreach (var version in (byte[])[0x06, 0x00, 0x1F])
        {
            var error = Assert.Throws<MediaFormatException>(() => ReadC0C1([version]));
            Assert.Equal($"unsupported RTMP version 0x{version:X2} in C0 at offset 0 (only 0x03 is supported)", error.Message);
        }

        var s0 = new byte[RtmpHandshake.S0S1S2Size];
        s0[0] = 0x08;
        var answerError = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(s0));
            RtmpHandshake.TryReadS0S1S2(ref reader, new byte[RtmpHandshake.PacketSize]);
        });
        Assert.Equal("unsupported RTMP version 0x08 in S0 at offset 0 (only 0x03 is supported)", answerError.Message);
    }

    [Fact]
    public void Truncated_handshake_packets_return_false_and_consume_nothing()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Size];
        RtmpHandshake.WriteC0C1(c0c1, digest: true, ClientTime, ClientRandom());
        foreach (var length in (int[])[0, 1, 2, 100, 1536])
        {
            Assert.False(ReadC0C1(c0c1[..length], out var consumed));
            Assert.Equal(0, consumed);
        }

        var c1 = new byte[RtmpHandshake.PacketSize];
        var answer = new byte[RtmpHandshake.S0S1S2Size];
        RtmpHandshake.WriteS0S1S2(c0c1.AsSpan(1), answer, ServerTime);
        foreach (var length in (int[])[0, 1, 1537, 3072])
        {
            var reader = new SequenceReader<byte>(Segments.Split(answer[..length], 512));
            Assert.False(RtmpHandshake.TryReadS0S1S2(ref reader, c1));
            Assert.Equal(0, reader.Consumed);
        }

        var c2Reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(new byte[1535]));
        Assert.False(RtmpHandshake.TryReadC2(ref c2Reader));
        Assert.False(RtmpHandshake.TryReadC2(ref c2Reader, c1));
        Assert.Equal(0, c2Reader.Consumed);

        // Bytes after C0C1 (the client may pipeline C2) are left for the next read.
        byte[] more = [.. c0c1, 0xAA];
        var moreReader = new SequenceReader<byte>(new ReadOnlySequence<byte>(more));
        Assert.True(RtmpHandshake.TryReadC0C1(ref moreReader, out _, c1));
        Assert.Equal(RtmpHandshake.C0C1Size, moreReader.Consumed);
        Assert.Equal(c0c1[1..], c1);
    }

    private static bool ReadC0C1(byte[] bytes) => ReadC0C1(bytes, out _);

    private static bool ReadC0C1(byte[] bytes, out long consumed)
    {
        var reader = new SequenceReader<byte>(Segments.Split(bytes.Length == 0 ? [] : bytes, 7));
        var result = RtmpHandshake.TryReadC0C1(ref reader, out _, new byte[RtmpHandshake.PacketSize]);
        consumed = reader.Consumed;
        return result;
    }

    private static byte[] ClientRandom()
    {
        var random = new byte[RtmpHandshake.C1RandomLength];
        for (var i = 0; i < random.Length; i++)
        {
            random[i] = (byte)((i * 13) + 5);
        }

        return random;
    }

    private static byte[] ServerRandom()
    {
        var random = new byte[RtmpHandshake.S0S1S2RandomLength];
        for (var i = 0; i < random.Length; i++)
        {
            random[i] = (byte)((i * 7) + 3);
        }

        return random;
    }
}
