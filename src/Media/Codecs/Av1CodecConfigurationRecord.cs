namespace Platform.Media.Codecs;

/// <summary>
/// An AV1CodecConfigurationRecord ("av1C", the enhanced RTMP av01 SequenceStart payload). Width and height
/// come from the sequence header OBU in configOBUs (max_frame_width/height), 0 when there is none.
/// </summary>
public readonly record struct Av1Config(
    int SeqProfile,
    int SeqLevelIdx,
    bool SeqTier,
    int BitDepth,
    bool Monochrome,
    int Width,
    int Height)
{
    public string ProfileName => CodecNames.Av1Profile(SeqProfile);

    public string LevelName => CodecNames.Av1Level(SeqLevelIdx);
}

public static class Av1CodecConfigurationRecord
{
    private const int FixedLength = 4;
    private const int SequenceHeaderObu = 1;

    public static bool TryParse(ReadOnlySpan<byte> data, out Av1Config config)
    {
        config = default;
        if (data.Length < FixedLength || data[0] != 0x81) // marker 1, version 1
        {
            return false;
        }

        var highBitDepth = (data[2] & 0x40) != 0;
        var twelveBit = (data[2] & 0x20) != 0;
        var width = 0;
        var height = 0;
        if (TryFindSequenceHeader(data[FixedLength..], out var sequenceHeader))
        {
            TryReadMaxFrameSize(sequenceHeader, out width, out height);
        }

        config = new Av1Config(
            SeqProfile: data[1] >> 5,
            SeqLevelIdx: data[1] & 0x1F,
            SeqTier: (data[2] & 0x80) != 0,
            BitDepth: highBitDepth ? (twelveBit ? 12 : 10) : 8,
            Monochrome: (data[2] & 0x10) != 0,
            width,
            height);
        return true;
    }

    private static bool TryFindSequenceHeader(ReadOnlySpan<byte> obus, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        while (!obus.IsEmpty)
        {
            var header = obus[0];
            var type = (header >> 3) & 0x0F;
            var headerLength = (header & 0x04) != 0 ? 2 : 1;
            if ((header & 0x80) != 0 || obus.Length < headerLength)
            {
                return false;
            }

            var size = (long)(obus.Length - headerLength);
            if ((header & 0x02) != 0) // obu_has_size_field
            {
                if (!TryReadLeb128(obus[headerLength..], out size, out var sizeLength))
                {
                    return false;
                }

                headerLength += sizeLength;
            }

            if (size > obus.Length - headerLength)
            {
                return false;
            }

            if (type == SequenceHeaderObu)
            {
                payload = obus.Slice(headerLength, (int)size);
                return true;
            }

            obus = obus[(headerLength + (int)size)..];
        }

        return false;
    }

    private static bool TryReadLeb128(ReadOnlySpan<byte> data, out long value, out int length)
    {
        value = 0;
        for (length = 0; length < 8 && length < data.Length; length++)
        {
            value |= (long)(data[length] & 0x7F) << (7 * length);
            if ((data[length] & 0x80) == 0)
            {
                length++;
                return true;
            }
        }

        return false;
    }

    // AV1 spec 5.5.1 sequence_header_obu(), up to max_frame_height_minus_1.
    private static bool TryReadMaxFrameSize(ReadOnlySpan<byte> obu, out int width, out int height)
    {
        width = height = 0;
        var r = new BitReader(obu);
        r.ReadBits(3); // seq_profile
        r.ReadBit(); // still_picture
        if (r.ReadBit()) // reduced_still_picture_header
        {
            r.ReadBits(5); // seq_level_idx[0]
        }
        else
        {
            var decoderModelInfo = false;
            var bufferDelayLength = 0;
            if (r.ReadBit()) // timing_info_present_flag
            {
                r.Skip(64); // num_units_in_display_tick, time_scale
                if (r.ReadBit()) // equal_picture_interval
                {
                    SkipUvlc(ref r); // num_ticks_per_picture_minus_1
                }

                decoderModelInfo = r.ReadBit();
                if (decoderModelInfo)
                {
                    bufferDelayLength = (int)r.ReadBits(5) + 1;
                    r.Skip(32 + 5 + 5); // num_units_in_decoding_tick, two length fields
                }
            }

            var initialDisplayDelay = r.ReadBit();
            var operatingPoints = (int)r.ReadBits(5) + 1;
            for (var i = 0; i < operatingPoints && !r.Failed; i++)
            {
                r.ReadBits(12); // operating_point_idc
                if (r.ReadBits(5) > 7) // seq_level_idx
                {
                    r.ReadBit(); // seq_tier
                }

                if (decoderModelInfo && r.ReadBit())
                {
                    r.Skip((2 * bufferDelayLength) + 1); // decoder/encoder buffer delay, low_delay_mode_flag
                }

                if (initialDisplayDelay && r.ReadBit())
                {
                    r.Skip(4); // initial_display_delay_minus_1
                }
            }
        }

        var widthBits = (int)r.ReadBits(4) + 1;
        var heightBits = (int)r.ReadBits(4) + 1;
        width = (int)r.ReadBits(widthBits) + 1;
        height = (int)r.ReadBits(heightBits) + 1;
        if (r.Failed)
        {
            width = height = 0;
            return false;
        }

        return true;
    }

    private static void SkipUvlc(ref BitReader r)
    {
        var leadingZeros = 0;
        while (!r.Failed && !r.ReadBit())
        {
            leadingZeros++;
        }

        if (leadingZeros < 32)
        {
            r.Skip(leadingZeros);
        }
    }
}
