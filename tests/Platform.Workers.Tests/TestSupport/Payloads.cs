using Platform.Media.Amf0;
using Platform.Media.Buffers;

namespace Platform.Workers.Tests.TestSupport;

/// <summary>Small synthetic FLV tag bodies: AVC and AAC headers with a few bytes of (fake) data.</summary>
public static class Payloads
{
    public static byte[] VideoSequenceHeader => [0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F];

    public static byte[] VideoKeyFrame => [0x17, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x65];

    public static byte[] VideoInterFrame => [0x27, 0x01, 0, 0, 0, 0, 0, 0, 1, 0x41];

    public static byte[] AudioSequenceHeader => [0xAF, 0x00, 0x12, 0x10];

    public static byte[] AudioFrame => [0xAF, 0x01, 0x21, 0x10, 0x04];

    public static byte[] Metadata(params (string Name, object? Value)[] properties)
    {
        var values = new Amf0Object(isEcmaArray: true);
        foreach (var (name, value) in properties)
        {
            values.Add(name, value);
        }

        using var writer = new PooledBufferWriter();
        Amf0Writer.WriteString(writer, "onMetaData");
        Amf0Writer.WriteObject(writer, values);
        return writer.WrittenSpan.ToArray();
    }
}
