using Platform.Media.Codecs;

namespace Platform.Media.Ts;

/// <summary>
/// Muxes FLV-style tag bodies (what an RTMP audio or video message carries) into a single-program MPEG-TS:
/// PAT, PMT on PID 0x1000 (program 1), video on 0x100 (H.264 or HEVC, Annex B with an AUD per access unit
/// and the parameter sets before each keyframe), audio on 0x101 (AAC in ADTS, or MP3 frames as they are).
/// Timestamps are FLV milliseconds on the 90 kHz clock (PTS = DTS + composition time); the PCR is the
/// video DTS at each video PES start, or the audio PTS when there is no video. Packets are written
/// straight into the output's spans: nothing is allocated per frame or per packet. Not thread-safe.
/// </summary>
public sealed partial class TsMuxer
{
    public const int PacketSize = TsPacket.Size;
    public const int ProgramNumber = 1;
    public const int PatPid = 0x0000;
    public const int PmtPid = 0x1000;
    public const int VideoPid = 0x100;
    public const int AudioPid = 0x101;

    /// <summary>PCR_PID of a program without PCR (no stream configured yet).</summary>
    public const int NullPid = 0x1FFF;

    private byte[] _parameterSets = [];
    private int _nalLengthSize;
    private AacConfig _aac;
    private byte _audioStreamType;
    private byte _patCounter;
    private byte _pmtCounter;
    private byte _videoCounter;
    private byte _audioCounter;
    private byte _pmtVersion;
    private int _discontinuities; // bit per PID (PidBit) whose next packet carries the discontinuity_indicator
    private bool _pmtWritten;

    /// <summary>The configured video codec: <see cref="VideoCodec.Other"/> until a sequence header is set.</summary>
    public VideoCodec VideoCodec { get; private set; }

    /// <summary>The configured audio codec: <see cref="AudioCodec.Other"/> until configured.</summary>
    public AudioCodec AudioCodec { get; private set; }

    public bool HasVideo => VideoCodec != VideoCodec.Other;

    public bool HasAudio => AudioCodec != AudioCodec.Other;

    /// <summary>The video PID when there is video, else the audio PID, else <see cref="NullPid"/>.</summary>
    public int PcrPid => HasVideo ? VideoPid : HasAudio ? AudioPid : NullPid;

    /// <summary>
    /// The PMT version_number (5 bits): starts at 0 and goes up once when the streams or their types change
    /// after a PMT was written, so a demuxer that saw the old PMT notices.
    /// </summary>
    public int PmtVersion => _pmtVersion;

    /// <summary>
    /// Configures video from an AVC or HEVC sequence header (legacy codec id 7 or 12, or an enhanced
    /// avc1/hvc1 SequenceStart). False, leaving the configuration as it was, for anything else.
    /// </summary>
    public bool SetVideoSequenceHeader(ReadOnlySpan<byte> flvVideoBody)
    {
        if (!VideoTag.TryParse(flvVideoBody, out var tag) || !tag.IsSequenceHeader)
        {
            return false;
        }

        var record = flvVideoBody[tag.DataOffset..];
        switch (tag.Codec)
        {
            case VideoCodec.Avc when AvcDecoderConfigurationRecord.TryParse(record, out var avc):
                _parameterSets = AnnexB.Join(avc.Sps, avc.Pps, []);
                _nalLengthSize = avc.NalLengthSize;
                break;
            case VideoCodec.Hevc when HevcDecoderConfigurationRecord.TryParse(record, out var hevc):
                _parameterSets = AnnexB.Join(hevc.Vps, hevc.Sps, hevc.Pps);
                _nalLengthSize = hevc.NalLengthSize;
                break;
            default:
                return false;
        }

        if (VideoCodec != tag.Codec)
        {
            VideoCodec = tag.Codec;
            BumpPmtVersion();
        }

        return true;
    }

    /// <summary>
    /// Configures audio from an AAC sequence header (an AudioSpecificConfig that ADTS can describe) or from
    /// any MP3 tag (its frame header tells MPEG-1 from MPEG-2 audio). False for anything else.
    /// </summary>
    public bool SetAudioSequenceHeader(ReadOnlySpan<byte> flvAudioBody)
    {
        if (!AudioTag.TryParse(flvAudioBody, out var tag))
        {
            return false;
        }

        var data = flvAudioBody[tag.DataOffset..];
        byte streamType;
        if (tag.Codec == AudioCodec.Aac)
        {
            if (!tag.IsSequenceHeader || !AacAudioSpecificConfig.TryParse(data, out var aac) || !AdtsHeader.CanDescribe(aac))
            {
                return false;
            }

            _aac = aac;
            streamType = TsStreamType.AacAdts;
        }
        else if (tag.Codec == AudioCodec.Mp3 && MpegAudioHeader.TryParse(data, out var mp3))
        {
            streamType = mp3.Version == MpegAudioVersion.Mpeg1 ? TsStreamType.Mpeg1Audio : TsStreamType.Mpeg2Audio;
        }
        else
        {
            return false;
        }

        if (AudioCodec != tag.Codec || _audioStreamType != streamType)
        {
            AudioCodec = tag.Codec;
            _audioStreamType = streamType;
            BumpPmtVersion();
        }

        return true;
    }

    /// <summary>
    /// Restarts the continuity counters of every PID at 0, so that what is written next depends only on what
    /// is written next, not on how much was written before: deterministic HLS calls it at each segment, so
    /// two muxers that joined a stream at different points write byte-identical segments. The next packet of
    /// each PID carries the discontinuity_indicator, which tells a reader that concatenates the output that
    /// its counter may not follow (without it, ffmpeg flags the first frame after the jump as corrupt). On the
    /// video PID, the PCR PID, that is formally also a new time base: its PCR, in that same packet, continues
    /// the old one. The PMT version is left as it is: it changes only with the streams.
    /// </summary>
    public void ResetContinuityCounters()
    {
        _patCounter = 0;
        _pmtCounter = 0;
        _videoCounter = 0;
        _audioCounter = 0;
        _discontinuities = PidBit(PatPid) | PidBit(PmtPid) | PidBit(VideoPid) | PidBit(AudioPid);
    }

    private static int PidBit(int pid) => pid switch
    {
        PatPid => 1,
        PmtPid => 2,
        VideoPid => 4,
        _ => 8,
    };

    /// <summary>Whether the PID's next packet carries the discontinuity_indicator (once).</summary>
    private bool TakeDiscontinuity(int pid)
    {
        var bit = PidBit(pid);
        var pending = (_discontinuities & bit) != 0;
        _discontinuities &= ~bit;
        return pending;
    }

    private byte VideoStreamType => VideoCodec == VideoCodec.Hevc ? TsStreamType.Hevc : TsStreamType.H264;

    private void BumpPmtVersion()
    {
        if (_pmtWritten)
        {
            _pmtVersion = (byte)((_pmtVersion + 1) & 0x1F);
            _pmtWritten = false;
        }
    }
}
