using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Amf0;

public class Amf0MalformedTests
{
    [Theory]
    [InlineData(new byte[] { 0x2A }, "unknown AMF0 marker 0x2A at offset 0")]
    [InlineData(new byte[] { 0x03, 0x00, 0x01, 0x61, 0xFF }, "unknown AMF0 marker 0xFF at offset 4")]
    [InlineData(new byte[] { 0x07, 0x00, 0x01 }, "unsupported AMF0 marker 0x07 (reference) at offset 0")]
    [InlineData(new byte[] { 0x04 }, "unsupported AMF0 marker 0x04 (movieclip) at offset 0")]
    [InlineData(new byte[] { 0x11, 0x01 }, "unsupported AMF0 marker 0x11 (AMF3 switch) at offset 0")]
    [InlineData(new byte[] { 0x10, 0x00, 0x01, 0x43 }, "unsupported AMF0 marker 0x10 (typed object) at offset 0")]
    [InlineData(new byte[] { 0x09 }, "AMF0 object-end marker 0x09 outside an object at offset 0")]
    [InlineData(new byte[] { 0x0A, 0x00, 0x00, 0x00, 0x01, 0x09 }, "AMF0 object-end marker 0x09 outside an object at offset 5")]
    [InlineData(
        new byte[] { 0x0A, 0x00, 0x01, 0x00, 0x01 },
        "AMF0 strict array at offset 0 declares 65537 elements, more than the limit of 65536")]
    [InlineData(
        new byte[] { 0x0C, 0x01, 0x00, 0x00, 0x00 },
        "AMF0 long string at offset 0 declares 16777216 bytes, more than the limit of 16777215")]
    public void Malformed_input_throws_a_precise_message(byte[] bytes, string message)
    {
        Assert.Equal(message, ReadError(new ReadOnlySequence<byte>(bytes)).Message);
        Assert.Equal(message, ReadError(Segments.Split(bytes, 1)).Message);
    }

    [Fact]
    public void Oversized_declarations_are_rejected_before_the_data_arrives()
    {
        // Only the header is there: a parser that waited for the data would buffer up to 4 GiB.
        Assert.Throws<MediaFormatException>(() => Read([0x0C, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.Throws<MediaFormatException>(() => Read([0x0A, 0xFF, 0xFF, 0xFF, 0xFF]));
    }

    [Fact]
    public void Nesting_of_32_levels_is_accepted_and_33_is_rejected()
    {
        Assert.IsType<Amf0Object>(Read(NestedObjects(32)));
        var error = Assert.Throws<MediaFormatException>(() => Read(NestedObjects(33)));
        Assert.Equal("AMF0 nesting deeper than 32 levels at offset 128", error.Message);

        // Strict arrays count towards the same depth: 33 arrays of one element each.
        byte[] arrays = [.. Enumerable.Repeat<byte[]>([0x0A, 0x00, 0x00, 0x00, 0x01], 33).SelectMany(b => b), 0x05];
        error = Assert.Throws<MediaFormatException>(() => Read(arrays));
        Assert.Equal("AMF0 nesting deeper than 32 levels at offset 160", error.Message);
    }

    [Fact]
    public void A_container_with_more_than_65536_properties_is_rejected()
    {
        var property = new byte[] { 0x00, 0x01, 0x6B, 0x05 };
        byte[] accepted = [0x03, .. Repeat(property, 65536), 0x00, 0x00, 0x09];
        Assert.Equal(65536, Assert.IsType<Amf0Object>(Read(accepted)).Count);

        byte[] rejected = [0x08, 0x00, 0x00, 0x00, 0x00, .. Repeat(property, 65537), 0x00, 0x00, 0x09];
        var error = Assert.Throws<MediaFormatException>(() => Read(rejected));
        Assert.Equal("AMF0 ECMA array at offset 0 has more than 65536 properties", error.Message);
    }

    /// <summary><paramref name="levels"/> objects, each the value of property "a" of the one around it.</summary>
    internal static byte[] NestedObjects(int levels) =>
        [.. Repeat([0x03, 0x00, 0x01, 0x61], levels - 1), 0x03, .. Repeat([0x00, 0x00, 0x09], levels)];

    private static byte[] Repeat(byte[] unit, int count)
    {
        var result = new byte[unit.Length * count];
        for (var i = 0; i < count; i++)
        {
            unit.CopyTo(result, i * unit.Length);
        }

        return result;
    }

    private static object? Read(byte[] bytes)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(Amf0Reader.TryReadValue(ref reader, out var value));
        return value;
    }

    private static MediaFormatException ReadError(ReadOnlySequence<byte> sequence) =>
        Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(sequence);
            Amf0Reader.TryReadValue(ref reader, out _);
        });
}
