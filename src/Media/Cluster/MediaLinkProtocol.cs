using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Media.Cluster;

/// <summary>What the publisher's node answers to a link's hello.</summary>
public enum LinkAnswerCode : byte
{
    /// <summary>The stream is published here: FLV tags follow.</summary>
    Streaming = 0,

    /// <summary>Nobody publishes the stream on this node (any more): ask the stream's entity again.</summary>
    NotPublished = 1,

    /// <summary>The proof of the cluster secret is wrong: the link is refused.</summary>
    Denied = 2,

    /// <summary>The hello was understood but cannot be served (a bad stream name).</summary>
    BadRequest = 3,
}

/// <summary>The reading node's request: which stream, from which node, and its proof of the secret.</summary>
public readonly record struct LinkHello(string Stream, string Node, byte[] Proof);

/// <summary>The publisher node's answer to a hello, with a reason for anything but streaming.</summary>
public readonly record struct LinkAnswer(LinkAnswerCode Code, string Reason);

/// <summary>
/// The media link between two nodes of the cluster: a node that has readers of a stream published on
/// another node opens one TCP connection to that node's media port, proves it knows the cluster secret,
/// and receives the stream as FLV tags (the very bytes HTTP-FLV players get, built once per frame).
/// <code>
/// server -> client  challenge: "PLNK" version(1) nonce(16)
/// client -> server  hello:     "PLNK" version(1) proof(32) nodeLength(1) node streamLength(2, BE) stream
/// server -> client  answer:    code(1) reasonLength(1) reason
/// server -> client  FLV tags (11-byte header, data, PreviousTagSize) while the publish lasts;
///                   an empty script-data tag marks the end of the publish, then the server closes.
/// </code>
/// proof = HMAC-SHA256(secret, nonce || stream || 0x00 || node). Every <c>TryRead</c> returns false and
/// consumes nothing while its message is incomplete, and throws <see cref="MediaFormatException"/> on
/// malformed input, checking declared lengths before waiting for the bytes.
/// </summary>
public static class MediaLinkProtocol
{
    public const byte Version = 1;
    public const int NonceLength = 16;
    public const int ProofLength = 32;
    public const int ChallengeLength = 4 + 1 + NonceLength;
    public const int MaxNodeLength = 255;
    public const int MaxStreamLength = 1024;

    private static ReadOnlySpan<byte> Magic => "PLNK"u8;

    public static void WriteChallenge(Span<byte> destination, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"a nonce is {NonceLength} bytes", nameof(nonce));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        nonce.CopyTo(destination[5..]);
    }

    public static bool TryReadChallenge(ref SequenceReader<byte> reader, Span<byte> nonce)
    {
        Span<byte> bytes = stackalloc byte[ChallengeLength];
        var available = (int)Math.Min(reader.Remaining, ChallengeLength);
        reader.TryCopyTo(bytes[..available]);
        CheckHead(bytes[..available], "challenge");
        if (available < ChallengeLength)
        {
            return false;
        }

        bytes[5..].CopyTo(nonce);
        reader.Advance(ChallengeLength);
        return true;
    }

    public static byte[] Prove(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, string stream, string node)
    {
        var message = new byte[nonce.Length + Encoding.UTF8.GetByteCount(stream) + 1 + Encoding.UTF8.GetByteCount(node)];
        nonce.CopyTo(message);
        var at = nonce.Length + Encoding.UTF8.GetBytes(stream, message.AsSpan(nonce.Length));
        message[at++] = 0;
        Encoding.UTF8.GetBytes(node, message.AsSpan(at));
        return HMACSHA256.HashData(secret, message);
    }

    /// <summary>Whether <paramref name="hello"/> carries the proof for <paramref name="nonce"/> (compared in constant time).</summary>
    public static bool Verify(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> nonce, LinkHello hello) =>
        CryptographicOperations.FixedTimeEquals(Prove(secret, nonce, hello.Stream, hello.Node), hello.Proof);

    public static int HelloLength(LinkHello hello) =>
        4 + 1 + ProofLength + 1 + Encoding.UTF8.GetByteCount(hello.Node) + 2 + Encoding.UTF8.GetByteCount(hello.Stream);

    public static int WriteHello(Span<byte> destination, LinkHello hello)
    {
        var node = Encoding.UTF8.GetBytes(hello.Node);
        var stream = Encoding.UTF8.GetBytes(hello.Stream);
        if (node.Length > MaxNodeLength || stream.Length > MaxStreamLength || hello.Proof.Length != ProofLength)
        {
            throw new ArgumentException("node, stream or proof out of range", nameof(hello));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        hello.Proof.CopyTo(destination[5..]);
        var at = 5 + ProofLength;
        destination[at++] = (byte)node.Length;
        node.CopyTo(destination[at..]);
        at += node.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)stream.Length);
        at += 2;
        stream.CopyTo(destination[at..]);
        return at + stream.Length;
    }

    public static bool TryReadHello(ref SequenceReader<byte> reader, out LinkHello hello)
    {
        hello = default;
        var probe = reader;
        Span<byte> head = stackalloc byte[5];
        var available = (int)Math.Min(probe.Remaining, 5);
        probe.TryCopyTo(head[..available]);
        CheckHead(head[..available], "hello");
        if (available < 5 || probe.Remaining < 5 + ProofLength + 1)
        {
            return false;
        }

        probe.Advance(5);
        var proof = new byte[ProofLength];
        probe.TryCopyTo(proof);
        probe.Advance(ProofLength);
        probe.TryRead(out var nodeLength);
        if (probe.Remaining < nodeLength + 2)
        {
            return false;
        }

        var node = ReadText(ref probe, nodeLength, "node name");
        probe.TryReadBigEndian(out short rawLength);
        var streamLength = (ushort)rawLength;
        if (streamLength is 0 or > MaxStreamLength)
        {
            ThrowHelper.Malformed($"media link hello: stream name length {streamLength} is not from 1 to {MaxStreamLength}");
        }

        if (probe.Remaining < streamLength)
        {
            return false;
        }

        var stream = ReadText(ref probe, streamLength, "stream name");
        hello = new LinkHello(stream, node, proof);
        reader = probe;
        return true;
    }

    public static int WriteAnswer(Span<byte> destination, LinkAnswer answer)
    {
        var reason = Encoding.UTF8.GetBytes(answer.Reason);
        var length = Math.Min(reason.Length, 255);
        destination[0] = (byte)answer.Code;
        destination[1] = (byte)length;
        reason.AsSpan(0, length).CopyTo(destination[2..]);
        return 2 + length;
    }

    public static bool TryReadAnswer(ref SequenceReader<byte> reader, out LinkAnswer answer)
    {
        answer = default;
        var probe = reader;
        if (!probe.TryRead(out var code))
        {
            return false;
        }

        if (code > (byte)LinkAnswerCode.BadRequest)
        {
            ThrowHelper.Malformed($"media link answer: unknown code {code}");
        }

        if (!probe.TryRead(out var length) || probe.Remaining < length)
        {
            return false;
        }

        answer = new LinkAnswer((LinkAnswerCode)code, ReadText(ref probe, length, "reason"));
        reader = probe;
        return true;
    }

    private static void CheckHead(ReadOnlySpan<byte> head, string what)
    {
        var magic = head[..Math.Min(head.Length, 4)];
        if (!Magic.StartsWith(magic))
        {
            ThrowHelper.Malformed($"media link {what}: signature {Convert.ToHexString(magic)} is not 'PLNK'");
        }

        if (head.Length > 4 && head[4] != Version)
        {
            ThrowHelper.Malformed($"media link {what}: version {head[4]} is not {Version}");
        }
    }

    private static string ReadText(ref SequenceReader<byte> reader, int length, string what)
    {
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return ThrowHelper.Malformed<string>($"media link: the {what} is not UTF-8");
        }
    }
}
