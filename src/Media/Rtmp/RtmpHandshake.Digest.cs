using System.Security.Cryptography;

namespace Platform.Media.Rtmp;

public static partial class RtmpHandshake
{
    private const int DigestLength = 32;
    private const int DigestModulus = 728;

    /// <summary>Digest-offset block at byte 8: digest somewhere in bytes 12..771 (digest-first layout).</summary>
    private const int OffsetBlockFirst = 8;

    /// <summary>Digest-offset block at byte 772: digest somewhere in bytes 776..1535 (key-first layout).</summary>
    private const int OffsetBlockSecond = 772;

    private const int PlayerKeyPublicLength = 30;
    private const int ServerKeyPublicLength = 36;

    /// <summary>The 32 bytes shared by the tails of both well-known keys.</summary>
    private static ReadOnlySpan<byte> KeyTail =>
    [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    /// <summary>The 62-byte Flash Player key; its first 30 bytes sign C1, all of it derives the S1-based C2 key.</summary>
    private static readonly byte[] PlayerKey = [.. "Genuine Adobe Flash Player 001"u8, .. KeyTail];

    /// <summary>The 68-byte Flash Media Server key; its first 36 bytes sign S1, all of it derives the C1-based S2 key.</summary>
    private static readonly byte[] ServerKey = [.. "Genuine Adobe Flash Media Server 001"u8, .. KeyTail];

    /// <summary>True if <paramref name="c1"/> carries a digest signed with the Flash Player key (either layout).</summary>
    public static bool ValidateC1Digest(ReadOnlySpan<byte> c1) =>
        FindDigest(RequirePacket(c1), PlayerKey.AsSpan(0, PlayerKeyPublicLength)) >= 0;

    /// <summary>True if <paramref name="s1"/> carries a digest signed with the Flash Media Server key (either layout).</summary>
    public static bool ValidateS1Digest(ReadOnlySpan<byte> s1) =>
        FindDigest(RequirePacket(s1), ServerKey.AsSpan(0, ServerKeyPublicLength)) >= 0;

    /// <summary>
    /// True if <paramref name="s2"/> ends with HMAC-SHA256(HMAC-SHA256(FMS key, C1 digest), S2[0..1504]):
    /// the client-side check of a digest answer. False if C1 itself has no valid digest.
    /// </summary>
    public static bool ValidateS2Digest(ReadOnlySpan<byte> s2, ReadOnlySpan<byte> c1) =>
        ValidateResponse(RequirePacket(s2), RequirePacket(c1), PlayerKey.AsSpan(0, PlayerKeyPublicLength), ServerKey);

    /// <summary>
    /// True if <paramref name="c2"/> ends with HMAC-SHA256(HMAC-SHA256(Flash Player key, S1 digest), C2[0..1504]).
    /// Servers need not call it (many clients send garbage C2); it is there for tests and strict peers.
    /// </summary>
    public static bool ValidateC2Digest(ReadOnlySpan<byte> c2, ReadOnlySpan<byte> s1) =>
        ValidateResponse(RequirePacket(c2), RequirePacket(s1), ServerKey.AsSpan(0, ServerKeyPublicLength), PlayerKey);

    /// <summary>The position of a valid digest (offset block at 8 tried first, then 772), or -1.</summary>
    private static int FindDigest(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[DigestLength];
        foreach (var offsetBlock in (ReadOnlySpan<int>)[OffsetBlockFirst, OffsetBlockSecond])
        {
            var position = DigestPosition(packet, offsetBlock);
            ComputeDigest(packet, position, key, digest);
            if (digest.SequenceEqual(packet.Slice(position, DigestLength)))
            {
                return position;
            }
        }

        return -1;
    }

    /// <summary>(sum of the four bytes of the offset block) mod 728, counted from the end of the block.</summary>
    private static int DigestPosition(ReadOnlySpan<byte> packet, int offsetBlock) =>
        ((packet[offsetBlock] + packet[offsetBlock + 1] + packet[offsetBlock + 2] + packet[offsetBlock + 3])
            % DigestModulus) + offsetBlock + 4;

    /// <summary>HMAC-SHA256 over the packet without the 32 digest bytes at <paramref name="position"/>.</summary>
    private static void ComputeDigest(ReadOnlySpan<byte> packet, int position, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> joined = stackalloc byte[PacketSize - DigestLength];
        packet[..position].CopyTo(joined);
        packet[(position + DigestLength)..].CopyTo(joined[position..]);
        HMACSHA256.HashData(key, joined, destination);
    }

    /// <summary>Signs <paramref name="packet"/> in place in the layout of <paramref name="offsetBlock"/>.</summary>
    private static void ImprintDigest(Span<byte> packet, int offsetBlock, ReadOnlySpan<byte> key)
    {
        var position = DigestPosition(packet, offsetBlock);
        ComputeDigest(packet, position, key, packet.Slice(position, DigestLength));
    }

    /// <summary>
    /// Writes the C2/S2 answer to a peer's digest: <paramref name="response"/>[0..1504] must already hold random
    /// bytes; the last 32 bytes become HMAC(HMAC(<paramref name="fullKey"/>, peer digest), response[0..1504]).
    /// </summary>
    private static void SignResponse(Span<byte> response, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        Span<byte> key = stackalloc byte[DigestLength];
        HMACSHA256.HashData(fullKey, peerDigest, key);
        HMACSHA256.HashData(key, response[..(PacketSize - DigestLength)], response[(PacketSize - DigestLength)..]);
    }

    private static bool ValidateResponse(
        ReadOnlySpan<byte> response, ReadOnlySpan<byte> request, ReadOnlySpan<byte> requestKey, ReadOnlySpan<byte> fullKey)
    {
        var position = FindDigest(request, requestKey);
        if (position < 0)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[DigestLength];
        Span<byte> expected = stackalloc byte[DigestLength];
        HMACSHA256.HashData(fullKey, request.Slice(position, DigestLength), key);
        HMACSHA256.HashData(key, response[..(PacketSize - DigestLength)], expected);
        return expected.SequenceEqual(response[(PacketSize - DigestLength)..]);
    }

    private static ReadOnlySpan<byte> RequirePacket(ReadOnlySpan<byte> packet)
    {
        if (packet.Length != PacketSize)
        {
            throw new ArgumentException($"A handshake packet is {PacketSize} bytes, not {packet.Length}.", nameof(packet));
        }

        return packet;
    }
}
