using System.Buffers;
using Platform.Media.Codecs;

namespace Platform.Media.Ts;

public sealed partial class TsMuxer
{
    /// <summary>
    /// Writes one video frame (a legacy NALU packet, or an enhanced CodedFrames/CodedFramesX packet) of the
    /// configured codec as a PES on <see cref="VideoPid"/>: an AUD, the configured parameter sets before a
    /// keyframe (unless the frame has its own), then the NAL units behind start codes. The first packet of
    /// a keyframe carries random_access_indicator; every PES start carries the PCR (= DTS). False, writing
    /// nothing, for sequence headers, end of sequence, command frames, other codecs, a frame before its
    /// sequence header, and a frame whose NAL lengths run past its end.
    /// </summary>
    public bool WriteVideo(IBufferWriter<byte> output, uint dtsMs, ReadOnlySpan<byte> flvVideoBody)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!HasVideo
            || !VideoTag.TryParse(flvVideoBody, out var tag)
            || tag.Codec != VideoCodec
            || !IsCodedFrame(tag))
        {
            return false;
        }

        var hevc = tag.Codec == VideoCodec.Hevc;
        var nalUnits = flvVideoBody[tag.DataOffset..];
        var annexBLength = AnnexB.Measure(nalUnits, _nalLengthSize, hevc, out var hasParameterSets);
        if (annexBLength <= 0)
        {
            return false;
        }

        var aud = hevc ? AnnexB.HevcAccessUnitDelimiter : AnnexB.AvcAccessUnitDelimiter;
        ReadOnlySpan<byte> parameterSets = tag.IsKeyFrame && !hasParameterSets ? _parameterSets : [];
        var dts = PesHeader.ToClock(dtsMs);
        var pts = PesHeader.ToClock((long)dtsMs + tag.CompositionTime);
        var esLength = aud.Length + parameterSets.Length + annexBLength;
        Span<byte> header = stackalloc byte[PesHeader.MaxLength];
        var headerLength = PesHeader.Write(header, PesHeader.VideoStreamId, pts, dts, esLength, unbounded: true);
        var payload = new PesPayload(header[..headerLength], aud, parameterSets, nalUnits, _nalLengthSize, hevc);
        TsPacket.WritePes(
            output, VideoPid, ref _videoCounter, ref payload, headerLength + esLength, pcr: dts, tag.IsKeyFrame, TakeDiscontinuity(VideoPid));
        return true;
    }

    /// <summary>Legacy packet type 1 (NALUs), or enhanced CodedFrames (1) and CodedFramesX (3).</summary>
    private static bool IsCodedFrame(in VideoTagInfo tag) =>
        !tag.IsCommandFrame && (tag.PacketType == 1 || (tag.IsEnhanced && tag.PacketType == 3));
}
