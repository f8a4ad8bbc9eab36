using System.Buffers.Binary;

namespace Platform.Media.Codecs;

public enum VideoCodec
{
    Other,
    Avc,
    Hevc,
    Av1,
    Vp9,
}

/// <summary>
/// The header of an FLV/RTMP video tag. <see cref="FrameType"/> is the raw frame type (1 key, 2 inter,
/// 5 info/command...); <see cref="PacketType"/> is the AVC/HEVC packet type of a legacy tag (0 sequence
/// header, 1 NALUs, 2 end of sequence) or the enhanced packet type (0 SequenceStart, 1 CodedFrames,
/// 2 SequenceEnd, 3 CodedFramesX, 4 Metadata, 5 MPEG2TSSequenceStart). <see cref="DataOffset"/> is where
/// the codec payload (decoder configuration record, length-prefixed NAL units, AMF metadata...) starts.
/// </summary>
public readonly record struct VideoTagInfo(
    VideoCodec Codec,
    byte FrameType,
    byte PacketType,
    bool IsKeyFrame,
    bool IsSequenceHeader,
    bool IsEndOfSequence,
    bool IsCommandFrame,
    bool IsEnhanced,
    int CompositionTime,
    int DataOffset);

/// <summary>Parses the legacy FLV video tag header and the enhanced RTMP (E-RTMP v1) one.</summary>
public static class VideoTag
{
    public const byte LegacyAvcCodecId = 7;

    /// <summary>HEVC's legacy codec id, used by Chinese CDNs and SRS before enhanced RTMP.</summary>
    public const byte LegacyHevcCodecId = 12;

    private const byte CommandFrame = 5;

    /// <summary>
    /// Reads the tag header; false when the payload is too short for its header or uses a layout not
    /// handled here (E-RTMP v2 multitrack and ModEx). Unknown codecs are reported as
    /// <see cref="VideoCodec.Other"/>, not as failures.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out VideoTagInfo info)
    {
        info = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        return (payload[0] & 0x80) != 0 ? TryParseEnhanced(payload, out info) : TryParseLegacy(payload, out info);
    }

    private static bool TryParseLegacy(ReadOnlySpan<byte> payload, out VideoTagInfo info)
    {
        info = default;
        var frameType = (byte)(payload[0] >> 4);
        var codecId = payload[0] & 0x0F;
        var codec = codecId switch
        {
            LegacyAvcCodecId => VideoCodec.Avc,
            LegacyHevcCodecId => VideoCodec.Hevc,
            _ => VideoCodec.Other,
        };

        if (frameType == CommandFrame)
        {
            // Video info/command frame: one UI8 command instead of a video packet.
            if (payload.Length < 2)
            {
                return false;
            }

            info = new VideoTagInfo(codec, frameType, 0, false, false, false, true, false, 0, 1);
            return true;
        }

        if (codec == VideoCodec.Other)
        {
            info = new VideoTagInfo(codec, frameType, 0, frameType == 1, false, false, false, false, 0, 1);
            return true;
        }

        if (payload.Length < 5)
        {
            return false;
        }

        var packetType = payload[1];
        info = new VideoTagInfo(
            codec, frameType, packetType, frameType == 1, packetType == 0, packetType == 2, false, false,
            ReadSi24(payload[2..]), 5);
        return true;
    }

    private static bool TryParseEnhanced(ReadOnlySpan<byte> payload, out VideoTagInfo info)
    {
        info = default;
        var frameType = (byte)((payload[0] >> 4) & 0x07);
        var packetType = (byte)(payload[0] & 0x0F);
        if (packetType > 5)
        {
            return false; // 6 Multitrack, 7 ModEx (E-RTMP v2), others reserved
        }

        if (frameType == CommandFrame && packetType != 4)
        {
            // A command frame carries a UI8 command and no FourCC nor payload.
            if (payload.Length < 2)
            {
                return false;
            }

            info = new VideoTagInfo(VideoCodec.Other, frameType, packetType, false, false, false, true, true, 0, 1);
            return true;
        }

        if (payload.Length < 5)
        {
            return false;
        }

        var codec = BinaryPrimitives.ReadUInt32BigEndian(payload[1..]) switch
        {
            0x61766331 => VideoCodec.Avc, // "avc1"
            0x68766331 => VideoCodec.Hevc, // "hvc1"
            0x61763031 => VideoCodec.Av1, // "av01"
            0x76703039 => VideoCodec.Vp9, // "vp09"
            _ => VideoCodec.Other,
        };

        var offset = 5;
        var compositionTime = 0;
        if (packetType == 1 && codec is VideoCodec.Avc or VideoCodec.Hevc)
        {
            // CodedFrames carries an SI24 composition time for AVC and HEVC only.
            if (payload.Length < 8)
            {
                return false;
            }

            compositionTime = ReadSi24(payload[5..]);
            offset = 8;
        }

        info = new VideoTagInfo(
            codec, frameType, packetType, frameType == 1, packetType == 0, packetType == 2, false, true,
            compositionTime, offset);
        return true;
    }

    /// <summary>A 24-bit big-endian two's complement integer.</summary>
    internal static int ReadSi24(ReadOnlySpan<byte> data) => ((data[0] << 24) | (data[1] << 16) | (data[2] << 8)) >> 8;
}
