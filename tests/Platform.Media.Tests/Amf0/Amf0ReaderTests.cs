using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Amf0;

public class Amf0ReaderTests
{
    public static TheoryData<string> Names() => Amf0Golden.Names();

    [Theory]
    [MemberData(nameof(Names))]
    public void Reads_the_golden_bytes(string name)
    {
        var (bytes, expected) = Amf0Golden.Cases[name];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(Amf0Reader.TryReadValue(ref reader, out var value));
        Amf0Assert.Equal(expected, value);
        Assert.Equal(bytes.Length, reader.Consumed);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_truncated_prefix_returns_false_and_consumes_nothing(string name)
    {
        var bytes = Amf0Golden.Cases[name].Bytes;
        for (var length = 0; length < bytes.Length; length++)
        {
            AssertIncomplete(new ReadOnlySequence<byte>(bytes, 0, length));
            AssertIncomplete(Segments.Split(bytes[..length], 1));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void One_byte_segments_read_the_same_values(string name)
    {
        var (bytes, expected) = Amf0Golden.Cases[name];
        foreach (var size in (int[])[1, 2, 3, 7])
        {
            var reader = new SequenceReader<byte>(Segments.Split(bytes, size));
            Assert.True(Amf0Reader.TryReadValue(ref reader, out var value));
            Amf0Assert.Equal(expected, value);
            Assert.True(reader.End);
        }
    }

    [Fact]
    public void Long_strings_read_back_in_one_and_many_segments()
    {
        var bytes = Amf0Golden.LongStringOf65536;
        foreach (var sequence in (ReadOnlySequence<byte>[])[new(bytes), Segments.Split(bytes, 1000)])
        {
            var reader = new SequenceReader<byte>(sequence);
            Assert.True(Amf0Reader.TryReadString(ref reader, out var value));
            Assert.Equal(new string('a', 65536), value);
        }

        AssertIncomplete(new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1));
    }

    [Fact]
    public void Consecutive_values_are_read_one_after_another()
    {
        byte[] bytes = [0x02, 0x00, 0x01, 0x78, 0x00, 0x40, 0x14, 0, 0, 0, 0, 0, 0, 0x01, 0x01];
        var reader = new SequenceReader<byte>(Segments.Split(bytes, 2));
        Assert.True(Amf0Reader.TryReadString(ref reader, out var text));
        Assert.True(Amf0Reader.TryReadNumber(ref reader, out var number));
        Assert.True(Amf0Reader.TryReadBoolean(ref reader, out var flag));
        Assert.Equal(("x", 5.0, true), (text, number, flag));
        Assert.True(reader.End);
    }

    [Fact]
    public void Typed_helpers_reject_other_types_with_the_marker_and_offset()
    {
        byte[] bytes = [0x05, 0x02, 0x00, 0x00];
        var error = Assert.Throws<MediaFormatException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            reader.Advance(1);
            Amf0Reader.TryReadNumber(ref reader, out _);
        });
        Assert.Equal("expected a number but found AMF0 marker 0x02 (string) at offset 1", error.Message);
    }

    [Fact]
    public void Typed_helpers_return_false_on_incomplete_input()
    {
        byte[] bytes = [0x02, 0x00, 0x05, 0x61];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.False(Amf0Reader.TryReadString(ref reader, out _));
        Assert.Equal(0, reader.Consumed);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([0x00, 0x3F, 0xF0]));
        Assert.False(Amf0Reader.TryReadNumber(ref reader, out _));
        Assert.Equal(0, reader.Consumed);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([0x01]));
        Assert.False(Amf0Reader.TryReadBoolean(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void Lenient_shapes_seen_in_the_wild_are_accepted()
    {
        // ECMA array whose count hint lies (0xFFFFFFFF) and an empty-named property before the end marker.
        byte[] bytes = [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x05, 0x00, 0x00, 0x09];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(Amf0Reader.TryReadValue(ref reader, out var value));
        Amf0Assert.Equal(new Amf0Object(isEcmaArray: true) { { "", null } }, value);

        // Any non-zero boolean byte is true.
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([0x01, 0x7F]));
        Assert.True(Amf0Reader.TryReadValue(ref reader, out value));
        Assert.Equal(true, value);
    }

    [Fact]
    public void Amf0Object_lookups()
    {
        var obj = new Amf0Object { { "app", "live" }, { "n", 3.0 }, { "app", "other" }, { "b", true } };
        Assert.Equal("live", obj["app"]);
        Assert.Null(obj["missing"]);
        Assert.True(obj.TryGetString("app", out var app));
        Assert.Equal("live", app);
        Assert.False(obj.TryGetString("n", out _));
        Assert.True(obj.TryGetNumber("n", out var n));
        Assert.Equal(3.0, n);
        Assert.False(obj.TryGetNumber("app", out _));
        Assert.True(obj.TryGetBoolean("b", out var b) && b);
        Assert.Equal(4, obj.Count);
        var keys = new List<string>();
        foreach (var property in obj)
        {
            keys.Add(property.Key);
        }

        Assert.Equal(["app", "n", "app", "b"], keys);
    }

    private static void AssertIncomplete(ReadOnlySequence<byte> sequence)
    {
        var reader = new SequenceReader<byte>(sequence);
        Assert.False(Amf0Reader.TryReadValue(ref reader, out var value), $"{sequence.Length} bytes parsed");
        Assert.Null(value);
        Assert.Equal(0, reader.Consumed);
    }
}
