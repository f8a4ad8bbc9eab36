namespace Platform.Media.Codecs;

/// <summary>Removes H.264/H.265 emulation-prevention bytes (00 00 03 -> 00 00) from a NAL unit.</summary>
internal static class Rbsp
{
    /// <summary>Largest NAL unit worth unescaping on the stack; parameter sets are far smaller.</summary>
    public const int StackLimit = 512;

    /// <summary>
    /// Copies <paramref name="nal"/> into <paramref name="destination"/> (at least as long) without the
    /// emulation-prevention bytes and returns the number of bytes written.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        var written = 0;
        var zeros = 0;
        for (var i = 0; i < nal.Length; i++)
        {
            var b = nal[i];
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            destination[written++] = b;
        }

        return written;
    }

    /// <summary>Parses a parameter set from its RBSP: the payload after the NAL header, unescaped.</summary>
    public delegate bool Parser<T>(ref BitReader reader, out T value);

    /// <summary>
    /// Unescapes <paramref name="nal"/> past its <paramref name="headerLength"/>-byte NAL header (on the
    /// stack for parameter-set sizes, pooled beyond) and runs <paramref name="parse"/> over the result.
    /// </summary>
    public static bool TryParse<T>(ReadOnlySpan<byte> nal, int headerLength, Parser<T> parse, out T value)
    {
        byte[]? rented = null;
        var buffer = nal.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(nal.Length));
        try
        {
            var length = Unescape(nal[headerLength..], buffer);
            var reader = new BitReader(buffer[..length]);
            return parse(ref reader, out value);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
