using System.Buffers;

namespace Platform.Media.Amf0;

/// <summary>
/// An RTMP command message (type 20, AMF0; or type 17, AMF3 envelope around AMF0 values):
/// the command name, a transaction id, a command object (often null) and optional arguments.
/// </summary>
public sealed record RtmpCommand(string Name, double TransactionId, object? CommandObject, IReadOnlyList<object?> Arguments)
{
    /// <summary>
    /// Parses a complete command payload. With <paramref name="amf3"/> (message type 17) the first byte
    /// (the AMF3 envelope's format byte, 0x00) is skipped and the rest is read as AMF0. A truncated payload
    /// or a first value that is not a string throws <see cref="MediaFormatException"/>.
    /// </summary>
    public static RtmpCommand Parse(ReadOnlySequence<byte> payload, bool amf3 = false)
    {
        var reader = new SequenceReader<byte>(payload);
        if (amf3 && !reader.TryRead(out _))
        {
            ThrowHelper.Malformed("AMF3 command payload is empty");
        }

        if (!reader.TryPeek(out var marker))
        {
            ThrowHelper.Malformed("RTMP command payload is empty");
        }

        if (marker is not (Amf0Marker.String or Amf0Marker.LongString))
        {
            ThrowHelper.Malformed(
                $"RTMP command name must be an AMF0 string but found marker 0x{marker:X2} ({Amf0Marker.Name(marker)}) at offset {reader.Consumed}");
        }

        var name = (string)ReadComplete(ref reader, "command name")!;
        double transactionId = 0;
        object? commandObject = null;
        if (!reader.End && ReadComplete(ref reader, "transaction id") is double id)
        {
            transactionId = id;
        }

        if (!reader.End)
        {
            commandObject = ReadComplete(ref reader, "command object");
        }

        return new RtmpCommand(name, transactionId, commandObject, ReadRest(ref reader, "command argument"));
    }

    /// <summary>
    /// Parses a complete data message payload (type 18, e.g. <c>@setDataFrame</c>, <c>onMetaData</c>, values)
    /// into its list of values. A truncated payload throws <see cref="MediaFormatException"/>.
    /// </summary>
    public static IReadOnlyList<object?> ParseValues(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        return ReadRest(ref reader, "data message value");
    }

    /// <summary>Writes name, transaction id, command object and arguments as AMF0 values.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Amf0Writer.WriteString(writer, Name);
        Amf0Writer.WriteNumber(writer, TransactionId);
        Amf0Writer.WriteValue(writer, CommandObject);
        for (var i = 0; i < Arguments.Count; i++)
        {
            Amf0Writer.WriteValue(writer, Arguments[i]);
        }
    }

    private static List<object?> ReadRest(ref SequenceReader<byte> reader, string what)
    {
        var values = new List<object?>();
        while (!reader.End)
        {
            if (values.Count >= Amf0Reader.MaxContainerEntries)
            {
                ThrowHelper.Malformed($"RTMP message has more than {Amf0Reader.MaxContainerEntries} values");
            }

            values.Add(ReadComplete(ref reader, what));
        }

        return values;
    }

    private static object? ReadComplete(ref SequenceReader<byte> reader, string what)
    {
        if (!Amf0Reader.TryReadValue(ref reader, out var value))
        {
            ThrowHelper.Malformed(
                $"truncated AMF0 {what} at offset {reader.Consumed} ({reader.Remaining} bytes left in a complete message)");
        }

        return value;
    }
}
