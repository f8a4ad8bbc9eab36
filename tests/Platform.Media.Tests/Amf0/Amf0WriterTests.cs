using System.Buffers;
using Platform.Media.Amf0;

namespace Platform.Media.Tests.Amf0;

public class Amf0WriterTests
{
    [Theory]
    [MemberData(nameof(Names))]
    public void WriteValue_produces_the_golden_bytes(string name)
    {
        var (bytes, value) = Amf0Golden.Cases[name];
        Assert.Equal(bytes, Write(w => Amf0Writer.WriteValue(w, value)));
    }

    public static TheoryData<string> Names() => Amf0Golden.Names();

    [Fact]
    public void Typed_writers_produce_the_golden_bytes()
    {
        Assert.Equal([0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0], Write(w => Amf0Writer.WriteNumber(w, 1.0)));
        Assert.Equal([0x01, 0x01], Write(w => Amf0Writer.WriteBoolean(w, true)));
        Assert.Equal([0x02, 0x00, 0x02, 0x6F, 0x6B], Write(w => Amf0Writer.WriteString(w, "ok")));
        Assert.Equal([0x05], Write(Amf0Writer.WriteNull));
        Assert.Equal([0x06], Write(Amf0Writer.WriteUndefined));
        Assert.Equal([0x03, 0x00, 0x00, 0x09], Write(w => Amf0Writer.WriteObject(w, new Amf0Object())));
        Assert.Equal(
            [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09],
            Write(w => Amf0Writer.WriteObject(w, new Amf0Object(isEcmaArray: true))));
        Assert.Equal(
            [0x0A, 0x00, 0x00, 0x00, 0x01, 0x05],
            Write(w => Amf0Writer.WriteStrictArray(w, new object?[] { null })));
        Assert.Equal(
            [0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xC4],
            Write(w => Amf0Writer.WriteDate(w, new Amf0Date(0, -60))));
    }

    [Fact]
    public void Strings_over_65535_utf8_bytes_use_the_long_string_marker()
    {
        Assert.Equal(Amf0Golden.StringOf65535, Write(w => Amf0Writer.WriteString(w, new string('a', 65535))));
        Assert.Equal(Amf0Golden.LongStringOf65536, Write(w => Amf0Writer.WriteString(w, new string('a', 65536))));

        // 32768 two-byte characters: 65536 UTF-8 bytes although only 32768 UTF-16 chars.
        var written = Write(w => Amf0Writer.WriteString(w, new string('\u00E9', 32768)));
        Assert.Equal([0x0C, 0x00, 0x01, 0x00, 0x00, 0xC3, 0xA9], written[..7]);
        Assert.Equal(5 + 65536, written.Length);
    }

    [Fact]
    public void Integer_and_float_types_are_written_as_numbers()
    {
        byte[] two = [0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, 2)));
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, 2L)));
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, 2u)));
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, 2f)));
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, (short)2)));
        Assert.Equal(two, Write(w => Amf0Writer.WriteValue(w, (byte)2)));
    }

    [Fact]
    public void Unsupported_types_throw_ArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => Write(w => Amf0Writer.WriteValue(w, DateTime.UnixEpoch)));
        Assert.Contains("System.DateTime has no AMF0 encoding", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Write(w => Amf0Writer.WriteValue(w, new object())));
        Assert.Throws<ArgumentException>(() => Write(w => Amf0Writer.WriteValue(w, 1m)));
    }

    [Fact]
    public void Values_the_reader_would_reject_are_refused()
    {
        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        var error = Assert.Throws<ArgumentException>(() => Write(w => Amf0Writer.WriteValue(w, cyclic)));
        Assert.Contains("deeper than 32", error.Message, StringComparison.Ordinal);

        var tooMany = new object?[Amf0Reader.MaxContainerEntries + 1];
        Assert.Throws<ArgumentException>(() => Write(w => Amf0Writer.WriteStrictArray(w, tooMany)));
    }

    internal static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }
}
