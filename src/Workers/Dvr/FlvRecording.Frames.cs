using Platform.Media.Flv;

namespace Platform.Workers.Dvr;

public sealed partial class FlvRecording
{
    private void WriteData(uint timestamp, ReadOnlySpan<byte> payload)
    {
        if (FlvFileIndex.TryParseMetadata(payload, out var metadata))
        {
            // Like SRS, one onMetaData per file, written first: later ones are kept for the next file.
            _metadata = FlvFileIndex.NormalizeMetadata(metadata);
            _metadataHasVideo = metadata is not null &&
                (metadata.ContainsKey("videocodecid") || (metadata.TryGetBoolean("hasVideo", out var hasVideo) && hasVideo));
            return;
        }

        if (_started)
        {
            WriteTag(FlvTagType.Script, timestamp, payload, isKeyFrame: false, isSequenceHeader: false);
        }
    }

    private void WriteVideo(uint timestamp, ReadOnlySpan<byte> payload, bool isKeyFrame, bool isSequenceHeader)
    {
        _sawVideo = true;
        if (isSequenceHeader)
        {
            _videoHeader = payload.ToArray();
            if (_started)
            {
                WriteTag(FlvTagType.Video, timestamp, payload, isKeyFrame, isSequenceHeader: true);
            }

            return;
        }

        if (!_videoKeyFrameWritten)
        {
            if (!isKeyFrame || (!_started && _declaredVideo == false))
            {
                // Nothing decodable before a keyframe. A stream declared audio-only starts with audio.
                return;
            }

            if (!_started)
            {
                Start(timestamp);
            }

            _videoKeyFrameWritten = true;
        }

        WriteTag(FlvTagType.Video, timestamp, payload, isKeyFrame, isSequenceHeader: false);
    }

    private void WriteAudio(uint timestamp, ReadOnlySpan<byte> payload, bool isSequenceHeader)
    {
        if (isSequenceHeader)
        {
            _audioHeader = payload.ToArray();
            if (_started)
            {
                WriteTag(FlvTagType.Audio, timestamp, payload, isKeyFrame: false, isSequenceHeader: true);
            }

            return;
        }

        if (!_started)
        {
            var waitForVideo = _declaredVideo ?? (_sawVideo || _metadataHasVideo);
            if (waitForVideo)
            {
                return;
            }

            Start(timestamp);
        }

        WriteTag(FlvTagType.Audio, timestamp, payload, isKeyFrame: false, isSequenceHeader: false);
    }

    /// <summary>The first frame: time zero, preceded by the remembered metadata and sequence headers.</summary>
    private void Start(uint timestamp)
    {
        _started = true;
        _baseTimestamp = timestamp;
        _start = _time.GetUtcNow();
        if (_metadata is not null)
        {
            WriteTag(FlvTagType.Script, timestamp, _metadata, isKeyFrame: false, isSequenceHeader: false);
        }

        if (_videoHeader is not null)
        {
            WriteTag(FlvTagType.Video, timestamp, _videoHeader, isKeyFrame: true, isSequenceHeader: true);
        }

        if (_audioHeader is not null)
        {
            WriteTag(FlvTagType.Audio, timestamp, _audioHeader, isKeyFrame: false, isSequenceHeader: true);
        }
    }
}
