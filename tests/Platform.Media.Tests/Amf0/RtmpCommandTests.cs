using System.Buffers;
using Platform.Media.Amf0;
using Platform.Media.Tests.TestSupport;

namespace Platform.Media.Tests.Amf0;

public class RtmpCommandTests
{
    /// <summary>An encoder's connect: name, transaction id 1, command object, no arguments.</summary>
    internal static readonly byte[] ConnectBytes =
    [
        0x02, 0x00, 0x07, .. "connect"u8,
        0x00, 0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x03,
        0x00, 0x03, .. "app"u8, 0x02, 0x00, 0x04, .. "live"u8,
        0x00, 0x04, .. "type"u8, 0x02, 0x00, 0x0A, .. "nonprivate"u8,
        0x00, 0x08, .. "flashVer"u8, 0x02, 0x00, 0x1F, .. "FMLE/3.0 (compatible; FMSc/1.0)"u8,
        0x00, 0x05, .. "tcUrl"u8, 0x02, 0x00, 0x1A, .. "rtmp://localhost:1935/live"u8,
        0x00, 0x04, .. "fpad"u8, 0x01, 0x00,
        0x00, 0x0C, .. "capabilities"u8, 0x00, 0x40, 0x6D, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x0B, .. "audioCodecs"u8, 0x00, 0x40, 0xAB, 0xEE, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x09,
    ];

    internal static RtmpCommand Connect => new(
        "connect",
        1,
        new Amf0Object
        {
            { "app", "live" },
            { "type", "nonprivate" },
            { "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)" },
            { "tcUrl", "rtmp://localhost:1935/live" },
            { "fpad", false },
            { "capabilities", 239.0 },
            { "audioCodecs", 3575.0 },
        },
        []);

    /// <summary>A server's reply to connect: properties object, then the information object as argument.</summary>
    internal static readonly byte[] ResultBytes =
    [
        0x02, 0x00, 0x07, .. "_result"u8,
        0x00, 0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x03,
        0x00, 0x06, .. "fmsVer"u8, 0x02, 0x00, 0x0D, .. "FMS/3,0,1,123"u8,
        0x00, 0x0C, .. "capabilities"u8, 0x00, 0x40, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x09,
        0x03,
        0x00, 0x05, .. "level"u8, 0x02, 0x00, 0x06, .. "status"u8,
        0x00, 0x04, .. "code"u8, 0x02, 0x00, 0x1D, .. "NetConnection.Connect.Success"u8,
        0x00, 0x0B, .. "description"u8, 0x02, 0x00, 0x15, .. "Connection succeeded."u8,
        0x00, 0x0E, .. "objectEncoding"u8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x09,
    ];

    internal static RtmpCommand Result => new(
        "_result",
        1,
        new Amf0Object { { "fmsVer", "FMS/3,0,1,123" }, { "capabilities", 31.0 } },
        [
            new Amf0Object
            {
                { "level", "status" },
                { "code", "NetConnection.Connect.Success" },
                { "description", "Connection succeeded." },
                { "objectEncoding", 0.0 },
            },
        ]);

    [Fact]
    public void Connect_is_written_byte_for_byte()
    {
        Assert.Equal(ConnectBytes, Amf0WriterTests.Write(Connect.WriteTo));
    }

    [Fact]
    public void Result_is_written_byte_for_byte()
    {
        Assert.Equal(ResultBytes, Amf0WriterTests.Write(Result.WriteTo));
    }

    [Fact]
    public void Connect_and_result_read_back_contiguous_and_in_one_byte_segments()
    {
        foreach (var (bytes, expected) in (ReadOnlySpan<(byte[], RtmpCommand)>)[(ConnectBytes, Connect), (ResultBytes, Result)])
        {
            AssertCommand(expected, RtmpCommand.Parse(new ReadOnlySequence<byte>(bytes)));
            AssertCommand(expected, RtmpCommand.Parse(Segments.Split(bytes, 1)));
        }

        var connect = RtmpCommand.Parse(new ReadOnlySequence<byte>(ConnectBytes));
        var properties = Assert.IsType<Amf0Object>(connect.CommandObject);
        Assert.True(properties.TryGetString("app", out var app));
        Assert.Equal("live", app);
    }

    [Fact]
    public void Amf3_command_skips_the_leading_format_byte()
    {
        byte[] bytes = [0x00, .. ConnectBytes];
        AssertCommand(Connect, RtmpCommand.Parse(new ReadOnlySequence<byte>(bytes), amf3: true));
        Assert.Equal(
            "AMF3 command payload is empty",
            Assert.Throws<MediaFormatException>(() => RtmpCommand.Parse(ReadOnlySequence<byte>.Empty, amf3: true)).Message);
    }

    [Fact]
    public void Short_commands_default_the_missing_parts()
    {
        // createStream with a null command object; publish with arguments; a bare name.
        byte[] createStream = [0x02, 0x00, 0x0C, .. "createStream"u8, 0x00, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0x05];
        AssertCommand(new RtmpCommand("createStream", 2, null, []), Parse(createStream));

        byte[] publish =
        [
            0x02, 0x00, 0x07, .. "publish"u8, 0x00, 0x40, 0x14, 0, 0, 0, 0, 0, 0, 0x05,
            0x02, 0x00, 0x06, .. "stream"u8, 0x02, 0x00, 0x04, .. "live"u8,
        ];
        AssertCommand(new RtmpCommand("publish", 5, null, ["stream", "live"]), Parse(publish));
        Assert.Equal(publish, Amf0WriterTests.Write(Parse(publish).WriteTo));

        AssertCommand(new RtmpCommand("x", 0, null, []), Parse([0x02, 0x00, 0x01, 0x78]));

        // A transaction id that is not a number counts as 0 and still takes its place.
        AssertCommand(new RtmpCommand("x", 0, 1.0, []), Parse([0x02, 0x00, 0x01, 0x78, 0x05, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Data_message_values_are_parsed()
    {
        byte[] bytes =
        [
            0x02, 0x00, 0x0D, .. "@setDataFrame"u8,
            0x02, 0x00, 0x0A, .. "onMetaData"u8,
            0x08, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x05, .. "width"u8, 0x00, 0x40, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x09,
        ];
        var values = RtmpCommand.ParseValues(Segments.Split(bytes, 1));
        Assert.Equal(3, values.Count);
        Assert.Equal("@setDataFrame", values[0]);
        Assert.Equal("onMetaData", values[1]);
        Amf0Assert.Equal(new Amf0Object(isEcmaArray: true) { { "width", 1280.0 } }, values[2]);

        Assert.Empty(RtmpCommand.ParseValues(ReadOnlySequence<byte>.Empty));
        var error = Assert.Throws<MediaFormatException>(() => RtmpCommand.ParseValues(new ReadOnlySequence<byte>(bytes[..^1])));
        Assert.Equal("truncated AMF0 data message value at offset 29 (23 bytes left in a complete message)", error.Message);
    }

    [Fact]
    public void Every_truncated_command_throws_MediaFormatException()
    {
        for (var length = 0; length < ConnectBytes.Length; length++)
        {
            if (length is 10 or 19)
            {
                // Ends right after the name or the transaction id: a complete, shorter command.
                Assert.Equal("connect", RtmpCommand.Parse(new ReadOnlySequence<byte>(ConnectBytes, 0, length)).Name);
                continue;
            }

            Assert.Throws<MediaFormatException>(() => RtmpCommand.Parse(new ReadOnlySequence<byte>(ConnectBytes, 0, length)));
            Assert.Throws<MediaFormatException>(() => RtmpCommand.Parse(Segments.Split(ConnectBytes[..length], 1)));
        }

        var error = Assert.Throws<MediaFormatException>(() => Parse(ConnectBytes[..^1]));
        Assert.Equal("truncated AMF0 command object at offset 19 (167 bytes left in a complete message)", error.Message);
        error = Assert.Throws<MediaFormatException>(() => Parse(ConnectBytes[..15]));
        Assert.Equal("truncated AMF0 transaction id at offset 10 (5 bytes left in a complete message)", error.Message);
        error = Assert.Throws<MediaFormatException>(() => Parse([]));
        Assert.Equal("RTMP command payload is empty", error.Message);
    }

    [Fact]
    public void A_first_value_that_is_not_a_string_throws()
    {
        var error = Assert.Throws<MediaFormatException>(() => Parse([0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]));
        Assert.Equal("RTMP command name must be an AMF0 string but found marker 0x00 (number) at offset 0", error.Message);
        error = Assert.Throws<MediaFormatException>(() => Parse([0x05]));
        Assert.Equal("RTMP command name must be an AMF0 string but found marker 0x05 (null) at offset 0", error.Message);
    }

    [Fact]
    public void Random_mutations_either_parse_or_throw_MediaFormatException()
    {
        var random = new Random(20240611);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])ConnectBytes.Clone();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(2) == 0 ? bytes.Length : random.Next(bytes.Length);
            try
            {
                RtmpCommand.Parse(Segments.Split(bytes[..length], random.Next(1, 9)));
            }
            catch (MediaFormatException)
            {
            }
        }
    }

    private static RtmpCommand Parse(byte[] bytes) => RtmpCommand.Parse(new ReadOnlySequence<byte>(bytes));

    private static void AssertCommand(RtmpCommand expected, RtmpCommand actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.TransactionId, actual.TransactionId);
        Amf0Assert.Equal(expected.CommandObject, actual.CommandObject, "CommandObject");
        Amf0Assert.Equal(expected.Arguments, new List<object?>(actual.Arguments), "Arguments");
    }
}
