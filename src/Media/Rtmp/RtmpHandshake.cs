using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Platform.Media.Rtmp;

/// <summary>
/// The RTMP handshake, server and client side, plain and digest ("complex", Flash style).
/// C0/S0 is the version byte (3); C1/S1/C2/S2 are <see cref="PacketSize"/> bytes each. The <c>TryRead*</c>
/// methods return false and consume nothing while the input is incomplete. Random bytes can be injected so
/// tests are deterministic; the overloads without them draw from <see cref="RandomNumberGenerator"/>.
/// </summary>
public static partial class RtmpHandshake
{
    /// <summary>The only RTMP version accepted and sent (3: plain, unencrypted RTMP).</summary>
    public const byte Version = 3;

    /// <summary>Size of C1, S1, C2 and S2.</summary>
    public const int PacketSize = 1536;

    /// <summary>Size of C0 + C1 (and of S0 + S1).</summary>
    public const int C0C1Size = 1 + PacketSize;

    /// <summary>Size of S0 + S1 + S2.</summary>
    public const int S0S1S2Size = 1 + (2 * PacketSize);

    /// <summary>Random bytes a C1 or S1 takes (everything after time and version).</summary>
    public const int C1RandomLength = PacketSize - 8;

    /// <summary>Random bytes a digest C2 or S2 takes (everything before its 32-byte signature).</summary>
    public const int C2RandomLength = PacketSize - DigestLength;

    /// <summary>Random bytes <see cref="WriteS0S1S2(ReadOnlySpan{byte}, Span{byte}, uint, ReadOnlySpan{byte})"/> takes: S1 then S2.</summary>
    public const int S0S1S2RandomLength = C1RandomLength + C2RandomLength;

    /// <summary>Non-zero version field of a digest S1 (an FMS-style version number).</summary>
    private static ReadOnlySpan<byte> ServerVersionField => [0x0D, 0x0E, 0x0A, 0x0D];

    /// <summary>Non-zero version field of a digest C1 (a Flash Player-style version number).</summary>
    private static ReadOnlySpan<byte> ClientVersionField => [0x0C, 0x00, 0x0D, 0x0E];

    /// <summary>
    /// Reads C0 and C1. Throws <see cref="MediaFormatException"/> as soon as the version byte is seen if it is
    /// not 3; returns false and consumes nothing until all <see cref="C0C1Size"/> bytes are there.
    /// </summary>
    public static bool TryReadC0C1(ref SequenceReader<byte> reader, out byte version, Span<byte> c1Destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(c1Destination.Length, PacketSize);
        return TryReadVersionAndPackets(ref reader, "C0", out version, packetCount: 1, c1Destination, []);
    }

    /// <summary>
    /// Writes S0, S1 and S2 (<see cref="S0S1S2Size"/> bytes) in answer to <paramref name="c1"/>: a digest
    /// answer if C1 carries a valid Flash Player digest, else a plain one (S2 echoes C1).
    /// <paramref name="random"/> supplies <see cref="S0S1S2RandomLength"/> bytes: S1's, then a digest S2's.
    /// <paramref name="c1"/> must not overlap <paramref name="destination"/>.
    /// </summary>
    public static HandshakeKind WriteS0S1S2(ReadOnlySpan<byte> c1, Span<byte> destination, uint serverTime, ReadOnlySpan<byte> random)
    {
        RequirePacket(c1);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, S0S1S2Size);
        ArgumentOutOfRangeException.ThrowIfLessThan(random.Length, S0S1S2RandomLength);

        destination[0] = Version;
        var s1 = destination.Slice(1, PacketSize);
        var s2 = destination.Slice(1 + PacketSize, PacketSize);
        BinaryPrimitives.WriteUInt32BigEndian(s1, serverTime);
        random[..C1RandomLength].CopyTo(s1[8..]);

        var c1DigestPosition = DigestPositionIn(c1, PlayerKey.AsSpan(0, PlayerKeyPublicLength), out var offsetBlock);
        if (c1DigestPosition < 0)
        {
            s1.Slice(4, 4).Clear();
            c1.CopyTo(s2);
            return HandshakeKind.Plain;
        }

        ServerVersionField.CopyTo(s1[4..]);
        ImprintDigest(s1, offsetBlock, ServerKey.AsSpan(0, ServerKeyPublicLength));
        random.Slice(C1RandomLength, C2RandomLength).CopyTo(s2);
        SignResponse(s2, c1.Slice(c1DigestPosition, DigestLength), ServerKey);
        return HandshakeKind.Digest;
    }

    /// <summary>As the other overload, with random bytes from <see cref="RandomNumberGenerator"/>.</summary>
    public static HandshakeKind WriteS0S1S2(ReadOnlySpan<byte> c1, Span<byte> destination, uint serverTime)
    {
        Span<byte> random = stackalloc byte[S0S1S2RandomLength];
        RandomNumberGenerator.Fill(random);
        return WriteS0S1S2(c1, destination, serverTime, random);
    }

    /// <summary>Consumes C2 once all <see cref="PacketSize"/> bytes are there; its content is not checked.</summary>
    public static bool TryReadC2(ref SequenceReader<byte> reader)
    {
        if (reader.Remaining < PacketSize)
        {
            return false;
        }

        reader.Advance(PacketSize);
        return true;
    }

    /// <summary>Consumes C2 into <paramref name="c2Destination"/> (see <see cref="ValidateC2Digest"/>).</summary>
    public static bool TryReadC2(ref SequenceReader<byte> reader, Span<byte> c2Destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(c2Destination.Length, PacketSize);
        if (!reader.TryCopyTo(c2Destination[..PacketSize]))
        {
            return false;
        }

        reader.Advance(PacketSize);
        return true;
    }

    /// <summary>
    /// Reads the version byte and then <paramref name="packetCount"/> packets, copying them into the
    /// destinations that are not empty; all or nothing.
    /// </summary>
    private static bool TryReadVersionAndPackets(
        ref SequenceReader<byte> reader, string what, out byte version, int packetCount, Span<byte> first, Span<byte> second)
    {
        if (!reader.TryPeek(out version))
        {
            return false;
        }

        if (version != Version)
        {
            ThrowHelper.Malformed(
                $"unsupported RTMP version 0x{version:X2} in {what} at offset {reader.Consumed} (only 0x03 is supported)");
        }

        if (reader.Remaining < 1 + ((long)packetCount * PacketSize))
        {
            return false;
        }

        reader.Advance(1);
        CopyPacket(ref reader, first);
        if (packetCount > 1)
        {
            CopyPacket(ref reader, second);
        }

        return true;
    }

    private static void CopyPacket(ref SequenceReader<byte> reader, Span<byte> destination)
    {
        if (!destination.IsEmpty)
        {
            reader.TryCopyTo(destination[..PacketSize]);
        }

        reader.Advance(PacketSize);
    }

    /// <summary>The digest position in <paramref name="packet"/> and its layout's offset block, or -1.</summary>
    private static int DigestPositionIn(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, out int offsetBlock)
    {
        var position = FindDigest(packet, key);
        offsetBlock = position >= OffsetBlockSecond + 4 ? OffsetBlockSecond : OffsetBlockFirst;
        return position;
    }
}
