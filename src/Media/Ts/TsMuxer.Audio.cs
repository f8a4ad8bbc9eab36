using System.Buffers;
using Platform.Media.Codecs;

namespace Platform.Media.Ts;

public sealed partial class TsMuxer
{
    /// <summary>
    /// Writes one audio frame as a PES on <see cref="AudioPid"/> with its PTS: a raw AAC frame behind an ADTS
    /// header, or an MP3 frame as it is. Without video the PES start carries the PCR (= PTS) and
    /// random_access_indicator. An MP3 frame arriving before any audio configuration configures MP3 and
    /// writes fresh tables first (MP3 has no sequence header). False, writing nothing, for sequence
    /// headers, other or unconfigured codecs, and empty or oversized frames.
    /// </summary>
    public bool WriteAudio(IBufferWriter<byte> output, uint ptsMs, ReadOnlySpan<byte> flvAudioBody)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!AudioTag.TryParse(flvAudioBody, out var tag))
        {
            return false;
        }

        var frame = flvAudioBody[tag.DataOffset..];
        Span<byte> adts = stackalloc byte[AdtsHeader.Length];
        if (tag.Codec == AudioCodec.Aac)
        {
            if (AudioCodec != AudioCodec.Aac || tag.AacPacketType != 1 || frame.IsEmpty
                || frame.Length > AdtsHeader.MaxFrameLength - AdtsHeader.Length)
            {
                return false;
            }

            AdtsHeader.Write(adts, _aac, frame.Length);
        }
        else if (tag.Codec == AudioCodec.Mp3 && !frame.IsEmpty)
        {
            if (AudioCodec == AudioCodec.Other && SetAudioSequenceHeader(flvAudioBody))
            {
                WriteTables(output);
            }

            if (AudioCodec != AudioCodec.Mp3)
            {
                return false;
            }

            adts = [];
        }
        else
        {
            return false;
        }

        var pts = PesHeader.ToClock(ptsMs);
        var esLength = adts.Length + frame.Length;
        if (esLength + PesHeader.MaxLength > 0xFFFF)
        {
            return false; // audio PES must state its length
        }

        Span<byte> header = stackalloc byte[PesHeader.MaxLength];
        var headerLength = PesHeader.Write(header, PesHeader.AudioStreamId, pts, pts, esLength, unbounded: false);
        var payload = new PesPayload(header[..headerLength], adts, [], frame, 0, hevc: false);
        var carriesPcr = !HasVideo;
        TsPacket.WritePes(
            output, AudioPid, ref _audioCounter, ref payload, headerLength + esLength, carriesPcr ? pts : -1, carriesPcr, TakeDiscontinuity(AudioPid));
        return true;
    }
}
