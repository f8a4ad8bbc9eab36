using System.Buffers;

namespace Platform.Media.Amf0;

public static partial class Amf0Reader
{
    private static bool TryReadObject(ref SequenceReader<byte> reader, int depth, long offset, out object? value)
    {
        value = null;
        var inner = EnterContainer(depth, offset);
        var result = new Amf0Object(isEcmaArray: false);
        if (!TryReadProperties(ref reader, result, inner, offset))
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool TryReadEcmaArray(ref SequenceReader<byte> reader, int depth, long offset, out object? value)
    {
        value = null;
        var inner = EnterContainer(depth, offset);

        // The count is only a hint (encoders often write 0): never trusted, never used to allocate.
        if (!reader.TryReadBigEndian(out int _))
        {
            return false;
        }

        var result = new Amf0Object(isEcmaArray: true);
        if (!TryReadProperties(ref reader, result, inner, offset))
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool TryReadStrictArray(ref SequenceReader<byte> reader, int depth, long offset, out object? value)
    {
        value = null;
        var inner = EnterContainer(depth, offset);
        if (!reader.TryReadBigEndian(out int declared))
        {
            return false;
        }

        var count = (uint)declared;
        if (count > MaxContainerEntries)
        {
            ThrowHelper.Malformed(
                $"AMF0 strict array at offset {offset} declares {count} elements, more than the limit of {MaxContainerEntries}");
        }

        // Every element takes at least one byte: never allocate for more than the bytes at hand.
        var list = new List<object?>((int)Math.Min(count, reader.Remaining));
        for (var i = 0u; i < count; i++)
        {
            if (!TryReadValue(ref reader, inner, out var element))
            {
                return false;
            }

            list.Add(element);
        }

        value = list;
        return true;
    }

    /// <summary>Reads (key, value) pairs up to and including the 0x00 0x00 0x09 object-end sequence.</summary>
    private static bool TryReadProperties(ref SequenceReader<byte> reader, Amf0Object target, int depth, long offset)
    {
        while (true)
        {
            if (!reader.TryReadBigEndian(out short declared))
            {
                return false;
            }

            var keyLength = (ushort)declared;
            if (keyLength == 0)
            {
                if (!reader.TryPeek(out var next))
                {
                    return false;
                }

                if (next == Amf0Marker.ObjectEnd)
                {
                    reader.Advance(1);
                    return true;
                }
            }

            if (target.Count >= MaxContainerEntries)
            {
                ThrowHelper.Malformed(
                    $"AMF0 {(target.IsEcmaArray ? "ECMA array" : "object")} at offset {offset} has more than {MaxContainerEntries} properties");
            }

            if (!TryReadUtf8(ref reader, keyLength, out var key) || !TryReadValue(ref reader, depth, out var value))
            {
                return false;
            }

            target.Add(key, value);
        }
    }

    /// <summary>Returns the depth of the values inside a container that starts at <paramref name="offset"/>.</summary>
    private static int EnterContainer(int depth, long offset)
    {
        if (depth >= MaxDepth)
        {
            ThrowHelper.Malformed($"AMF0 nesting deeper than {MaxDepth} levels at offset {offset}");
        }

        return depth + 1;
    }
}
