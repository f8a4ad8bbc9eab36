using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Platform.Media.Amf0;

/// <summary>
/// Reads AMF0 values (Adobe AMF0 specification) into the plain value model: <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, null, <see cref="Amf0Undefined"/>, <see cref="Amf0Object"/>,
/// <see cref="List{T}"/> of object? (strict array) and <see cref="Amf0Date"/>.
/// Every <c>TryRead*</c> method returns false and consumes nothing when the input is incomplete, and throws
/// <see cref="MediaFormatException"/> on malformed or abusive input. Offsets in messages are counted from
/// the start of the reader's sequence.
/// </summary>
public static partial class Amf0Reader
{
    /// <summary>Deepest nesting of objects, ECMA arrays and strict arrays accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most properties or elements accepted in one object, ECMA array or strict array.</summary>
    public const int MaxContainerEntries = 65536;

    /// <summary>Longest long string accepted: the largest RTMP message (24-bit length) could not hold more.</summary>
    public const int MaxLongStringBytes = 0xFFFFFF;

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>Reads one AMF0 value of any supported type.</summary>
    public static bool TryReadValue(ref SequenceReader<byte> reader, out object? value)
    {
        var copy = reader;
        if (!TryReadValue(ref copy, depth: 0, out value))
        {
            value = null;
            return false;
        }

        reader = copy;
        return true;
    }

    /// <summary>Reads a number (marker 0x00); throws if the next value is of another type.</summary>
    public static bool TryReadNumber(ref SequenceReader<byte> reader, out double value)
    {
        value = 0;
        if (!reader.TryPeek(out var marker))
        {
            return false;
        }

        if (marker != Amf0Marker.Number)
        {
            ThrowUnexpectedMarker("a number", marker, reader.Consumed);
        }

        var copy = reader;
        copy.Advance(1);
        if (!TryReadDouble(ref copy, out value))
        {
            return false;
        }

        reader = copy;
        return true;
    }

    /// <summary>Reads a boolean (marker 0x01); throws if the next value is of another type.</summary>
    public static bool TryReadBoolean(ref SequenceReader<byte> reader, out bool value)
    {
        value = false;
        if (!reader.TryPeek(out var marker))
        {
            return false;
        }

        if (marker != Amf0Marker.Boolean)
        {
            ThrowUnexpectedMarker("a boolean", marker, reader.Consumed);
        }

        if (!reader.TryPeek(1, out var flag))
        {
            return false;
        }

        reader.Advance(2);
        value = flag != 0;
        return true;
    }

    /// <summary>Reads a string or long string (marker 0x02 or 0x0C); throws if the next value is of another type.</summary>
    public static bool TryReadString(ref SequenceReader<byte> reader, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!reader.TryPeek(out var marker))
        {
            return false;
        }

        if (marker is not (Amf0Marker.String or Amf0Marker.LongString))
        {
            ThrowUnexpectedMarker("a string", marker, reader.Consumed);
        }

        var copy = reader;
        var offset = copy.Consumed;
        copy.Advance(1);
        if (!TryReadStringBody(ref copy, marker == Amf0Marker.LongString, offset, out value))
        {
            value = null;
            return false;
        }

        reader = copy;
        return true;
    }

    /// <summary>Reads one value on a reader that the caller rewinds (by copy) when this returns false.</summary>
    private static bool TryReadValue(ref SequenceReader<byte> reader, int depth, out object? value)
    {
        value = null;
        var offset = reader.Consumed;
        if (!reader.TryRead(out var marker))
        {
            return false;
        }

        switch (marker)
        {
            case Amf0Marker.Number:
                if (!TryReadDouble(ref reader, out var number))
                {
                    return false;
                }

                value = number;
                return true;
            case Amf0Marker.Boolean:
                if (!reader.TryRead(out var flag))
                {
                    return false;
                }

                value = flag != 0 ? BoxedTrue : BoxedFalse;
                return true;
            case Amf0Marker.String:
            case Amf0Marker.LongString:
                if (!TryReadStringBody(ref reader, marker == Amf0Marker.LongString, offset, out var text))
                {
                    return false;
                }

                value = text;
                return true;
            case Amf0Marker.Null:
                return true;
            case Amf0Marker.Undefined:
                value = Amf0Undefined.Instance;
                return true;
            case Amf0Marker.Object:
                return TryReadObject(ref reader, depth, offset, out value);
            case Amf0Marker.EcmaArray:
                return TryReadEcmaArray(ref reader, depth, offset, out value);
            case Amf0Marker.StrictArray:
                return TryReadStrictArray(ref reader, depth, offset, out value);
            case Amf0Marker.Date:
                return TryReadDate(ref reader, out value);
            case Amf0Marker.ObjectEnd:
                return ThrowHelper.Malformed<bool>(
                    $"AMF0 object-end marker 0x09 outside an object at offset {offset}");
            case Amf0Marker.MovieClip:
            case Amf0Marker.Reference:
            case Amf0Marker.Unsupported:
            case Amf0Marker.RecordSet:
            case Amf0Marker.XmlDocument:
            case Amf0Marker.TypedObject:
            case Amf0Marker.AvmPlusObject:
                return ThrowHelper.Malformed<bool>(
                    $"unsupported AMF0 marker 0x{marker:X2} ({Amf0Marker.Name(marker)}) at offset {offset}");
            default:
                return ThrowHelper.Malformed<bool>($"unknown AMF0 marker 0x{marker:X2} at offset {offset}");
        }
    }

    private static bool TryReadDouble(ref SequenceReader<byte> reader, out double value)
    {
        if (!reader.TryReadBigEndian(out long bits))
        {
            value = 0;
            return false;
        }

        value = BitConverter.Int64BitsToDouble(bits);
        return true;
    }

    private static bool TryReadDate(ref SequenceReader<byte> reader, out object? value)
    {
        value = null;
        if (!TryReadDouble(ref reader, out var milliseconds) || !reader.TryReadBigEndian(out short timeZone))
        {
            return false;
        }

        value = new Amf0Date(milliseconds, timeZone);
        return true;
    }

    /// <summary>Reads the length and UTF-8 bytes after a string (short) or long-string marker.</summary>
    private static bool TryReadStringBody(ref SequenceReader<byte> reader, bool isLong, long offset, out string value)
    {
        value = string.Empty;
        int length;
        if (isLong)
        {
            if (!reader.TryReadBigEndian(out int declared))
            {
                return false;
            }

            var unsigned = (uint)declared;
            if (unsigned > MaxLongStringBytes)
            {
                ThrowHelper.Malformed(
                    $"AMF0 long string at offset {offset} declares {unsigned} bytes, more than the limit of {MaxLongStringBytes}");
            }

            length = (int)unsigned;
        }
        else
        {
            if (!reader.TryReadBigEndian(out short declared))
            {
                return false;
            }

            length = (ushort)declared;
        }

        return TryReadUtf8(ref reader, length, out value);
    }

    private static bool TryReadUtf8(ref SequenceReader<byte> reader, int length, out string value)
    {
        if (length == 0)
        {
            value = string.Empty;
            return true;
        }

        if (reader.Remaining < length)
        {
            value = string.Empty;
            return false;
        }

        var unread = reader.UnreadSpan;
        value = unread.Length >= length
            ? Encoding.UTF8.GetString(unread[..length])
            : Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, length));
        reader.Advance(length);
        return true;
    }

    [DoesNotReturn]
    private static void ThrowUnexpectedMarker(string expected, byte marker, long offset) =>
        ThrowHelper.Malformed(
            $"expected {expected} but found AMF0 marker 0x{marker:X2} ({Amf0Marker.Name(marker)}) at offset {offset}");
}
