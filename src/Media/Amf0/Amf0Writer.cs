using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Platform.Media.Amf0;

/// <summary>
/// Writes AMF0 values to an <see cref="IBufferWriter{T}"/>. The output is always readable by
/// <see cref="Amf0Reader"/>: values it would reject (nesting over <see cref="Amf0Reader.MaxDepth"/>, containers
/// over <see cref="Amf0Reader.MaxContainerEntries"/>) are refused with <see cref="ArgumentException"/>.
/// </summary>
public static class Amf0Writer
{
    private const int ShortStringMax = ushort.MaxValue;

    public static void WriteNumber(IBufferWriter<byte> writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(9);
        span[0] = Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        writer.Advance(9);
    }

    public static void WriteBoolean(IBufferWriter<byte> writer, bool value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(2);
        span[0] = Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        writer.Advance(2);
    }

    /// <summary>Writes a string (0x02), or a long string (0x0C) when it takes more than 65535 UTF-8 bytes.</summary>
    public static void WriteString(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        if (length <= ShortStringMax)
        {
            var span = writer.GetSpan(3);
            span[0] = Amf0Marker.String;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            writer.Advance(3);
        }
        else
        {
            if (length > Amf0Reader.MaxLongStringBytes)
            {
                throw new ArgumentException(
                    $"String of {length} UTF-8 bytes is longer than the AMF0 limit of {Amf0Reader.MaxLongStringBytes}.",
                    nameof(value));
            }

            var span = writer.GetSpan(5);
            span[0] = Amf0Marker.LongString;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            writer.Advance(5);
        }

        Encoding.UTF8.GetBytes(value.AsSpan(), writer);
    }

    public static void WriteNull(IBufferWriter<byte> writer) => WriteMarker(writer, Amf0Marker.Null);

    public static void WriteUndefined(IBufferWriter<byte> writer) => WriteMarker(writer, Amf0Marker.Undefined);

    /// <summary>Writes an anonymous object (0x03), or an ECMA array (0x08) when <see cref="Amf0Object.IsEcmaArray"/>.</summary>
    public static void WriteObject(IBufferWriter<byte> writer, Amf0Object value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        WriteObject(writer, value, depth: 0);
    }

    public static void WriteStrictArray(IBufferWriter<byte> writer, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        WriteStrictArray(writer, values, depth: 0);
    }

    public static void WriteDate(IBufferWriter<byte> writer, Amf0Date value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(11);
        span[0] = Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value.MillisecondsSinceEpoch);
        BinaryPrimitives.WriteInt16BigEndian(span[9..], value.TimeZone);
        writer.Advance(11);
    }

    /// <summary>
    /// Writes any value of the model, dispatching on its type. Integer and float types are written as
    /// numbers; any other .NET type throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void WriteValue(IBufferWriter<byte> writer, object? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteValue(writer, value, depth: 0);
    }

    private static void WriteValue(IBufferWriter<byte> writer, object? value, int depth)
    {
        switch (value)
        {
            case null:
                WriteNull(writer);
                break;
            case double number:
                WriteNumber(writer, number);
                break;
            case string text:
                WriteString(writer, text);
                break;
            case bool flag:
                WriteBoolean(writer, flag);
                break;
            case Amf0Object obj:
                WriteObject(writer, obj, depth);
                break;
            case Amf0Undefined:
                WriteUndefined(writer);
                break;
            case Amf0Date date:
                WriteDate(writer, date);
                break;
            case IReadOnlyList<object?> list:
                WriteStrictArray(writer, list, depth);
                break;
            case int number:
                WriteNumber(writer, number);
                break;
            case long number:
                WriteNumber(writer, number);
                break;
            case uint number:
                WriteNumber(writer, number);
                break;
            case float number:
                WriteNumber(writer, number);
                break;
            case short or ushort or byte or sbyte or ulong:
                WriteNumber(writer, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException(
                    $"Type {value.GetType()} has no AMF0 encoding.", nameof(value));
        }
    }

    private static void WriteObject(IBufferWriter<byte> writer, Amf0Object value, int depth)
    {
        var inner = EnterContainer(depth, value.Count);
        if (value.IsEcmaArray)
        {
            var span = writer.GetSpan(5);
            span[0] = Amf0Marker.EcmaArray;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value.Count);
            writer.Advance(5);
        }
        else
        {
            WriteMarker(writer, Amf0Marker.Object);
        }

        foreach (var property in value)
        {
            WritePropertyName(writer, property.Key);
            WriteValue(writer, property.Value, inner);
        }

        var end = writer.GetSpan(3);
        end[0] = 0;
        end[1] = 0;
        end[2] = Amf0Marker.ObjectEnd;
        writer.Advance(3);
    }

    private static void WriteStrictArray(IBufferWriter<byte> writer, IReadOnlyList<object?> values, int depth)
    {
        var inner = EnterContainer(depth, values.Count);
        var span = writer.GetSpan(5);
        span[0] = Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)values.Count);
        writer.Advance(5);
        for (var i = 0; i < values.Count; i++)
        {
            WriteValue(writer, values[i], inner);
        }
    }

    private static void WritePropertyName(IBufferWriter<byte> writer, string key)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        if (length > ShortStringMax)
        {
            throw new ArgumentException($"AMF0 property name of {length} UTF-8 bytes is longer than 65535.", nameof(key));
        }

        var span = writer.GetSpan(2);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        writer.Advance(2);
        Encoding.UTF8.GetBytes(key.AsSpan(), writer);
    }

    private static void WriteMarker(IBufferWriter<byte> writer, byte marker)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.GetSpan(1)[0] = marker;
        writer.Advance(1);
    }

    private static int EnterContainer(int depth, int count)
    {
        if (depth >= Amf0Reader.MaxDepth)
        {
            throw new ArgumentException($"AMF0 values nest deeper than {Amf0Reader.MaxDepth} levels (or contain a cycle).");
        }

        if (count > Amf0Reader.MaxContainerEntries)
        {
            throw new ArgumentException(
                $"AMF0 container of {count} entries is larger than the limit of {Amf0Reader.MaxContainerEntries}.");
        }

        return depth + 1;
    }
}
