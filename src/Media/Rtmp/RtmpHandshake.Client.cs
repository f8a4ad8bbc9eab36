using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Platform.Media.Rtmp;

public static partial class RtmpHandshake
{
    /// <summary>
    /// Writes C0 and C1 (<see cref="C0C1Size"/> bytes). With <paramref name="digest"/>, C1 carries a non-zero
    /// version field and a Flash Player digest (offset block at byte 8); else it is time, zero and random.
    /// <paramref name="random"/> supplies <see cref="C1RandomLength"/> bytes.
    /// </summary>
    public static void WriteC0C1(Span<byte> destination, bool digest, uint time, ReadOnlySpan<byte> random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, C0C1Size);
        ArgumentOutOfRangeException.ThrowIfLessThan(random.Length, C1RandomLength);

        destination[0] = Version;
        var c1 = destination.Slice(1, PacketSize);
        BinaryPrimitives.WriteUInt32BigEndian(c1, time);
        random[..C1RandomLength].CopyTo(c1[8..]);
        if (digest)
        {
            ClientVersionField.CopyTo(c1[4..]);
            ImprintDigest(c1, OffsetBlockFirst, PlayerKey.AsSpan(0, PlayerKeyPublicLength));
        }
        else
        {
            c1.Slice(4, 4).Clear();
        }
    }

    /// <summary>As the other overload, with random bytes from <see cref="RandomNumberGenerator"/>.</summary>
    public static void WriteC0C1(Span<byte> destination, bool digest, uint time)
    {
        Span<byte> random = stackalloc byte[C1RandomLength];
        RandomNumberGenerator.Fill(random);
        WriteC0C1(destination, digest, time, random);
    }

    /// <summary>
    /// Reads S0, S1 and S2, keeping S1. Throws <see cref="MediaFormatException"/> if S0 is not 3; returns
    /// false and consumes nothing until all <see cref="S0S1S2Size"/> bytes are there.
    /// </summary>
    public static bool TryReadS0S1S2(ref SequenceReader<byte> reader, Span<byte> s1Destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(s1Destination.Length, PacketSize);
        return TryReadVersionAndPackets(ref reader, "S0", out _, packetCount: 2, s1Destination, []);
    }

    /// <summary>As the other overload, also keeping S2 (see <see cref="ValidateS2Digest"/>).</summary>
    public static bool TryReadS0S1S2(ref SequenceReader<byte> reader, Span<byte> s1Destination, Span<byte> s2Destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(s1Destination.Length, PacketSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(s2Destination.Length, PacketSize);
        return TryReadVersionAndPackets(ref reader, "S0", out _, packetCount: 2, s1Destination, s2Destination);
    }

    /// <summary>
    /// Writes C2 (<see cref="PacketSize"/> bytes) in answer to <paramref name="s1"/>. With
    /// <paramref name="digest"/> and a valid FMS digest in S1: <see cref="C2RandomLength"/> random bytes then
    /// HMAC(HMAC(Flash Player key, S1 digest), those bytes). Otherwise C2 echoes S1. Returns what was written.
    /// </summary>
    public static HandshakeKind WriteC2(ReadOnlySpan<byte> s1, Span<byte> destination, bool digest, ReadOnlySpan<byte> random)
    {
        RequirePacket(s1);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, PacketSize);
        var c2 = destination[..PacketSize];
        var s1DigestPosition = digest ? FindDigest(s1, ServerKey.AsSpan(0, ServerKeyPublicLength)) : -1;
        if (s1DigestPosition < 0)
        {
            s1.CopyTo(c2);
            return HandshakeKind.Plain;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(random.Length, C2RandomLength);
        random[..C2RandomLength].CopyTo(c2);
        SignResponse(c2, s1.Slice(s1DigestPosition, DigestLength), PlayerKey);
        return HandshakeKind.Digest;
    }

    /// <summary>As the other overload, with random bytes from <see cref="RandomNumberGenerator"/>.</summary>
    public static HandshakeKind WriteC2(ReadOnlySpan<byte> s1, Span<byte> destination, bool digest)
    {
        Span<byte> random = stackalloc byte[C2RandomLength];
        RandomNumberGenerator.Fill(random);
        return WriteC2(s1, destination, digest, random);
    }
}
