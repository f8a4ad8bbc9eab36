using Platform.Media.Flv;
using Platform.Streams.Hub;
using Platform.Workers.Dvr;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Dvr;

/// <summary>The recording's rules on small synthetic streams (the real-ffmpeg checks are in <see cref="FlvRecordingFfmpegTests"/>).</summary>
public sealed class FlvRecordingTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-dvr-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    [Fact]
    public void Waits_for_a_video_keyframe_and_writes_metadata_and_sequence_headers_just_before_it()
    {
        var time = new FixedTime(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var recording = FlvRecording.Create(PathOf("live/cam.flv"), time);
        Assert.Equal(PathOf("live/cam.flv") + ".tmp", recording.TempPath);
        Assert.Equal(PathOf("live/cam.flv"), recording.FinalPath);
        recording.Write(FrameKind.Data, 90, Payloads.Metadata(("width", 640.0), ("height", 360.0), ("videocodecid", 7.0)), false, false);
        recording.Write(FrameKind.Video, 90, Payloads.VideoSequenceHeader, true, true);
        recording.Write(FrameKind.Audio, 90, Payloads.AudioSequenceHeader, false, true);
        recording.Write(FrameKind.Audio, 100, Payloads.AudioFrame, false, false);
        recording.Write(FrameKind.Video, 120, Payloads.VideoInterFrame, false, false);
        recording.Write(FrameKind.Data, 130, Payloads.Metadata(("width", 1.0)), false, false); // replaces the one remembered
        Assert.False(recording.HasStarted);
        Assert.Equal(FlvWriter.FileHeaderLength, recording.Bytes);

        time.Now = time.Now.AddSeconds(1);
        recording.Write(FrameKind.Video, 160, Payloads.VideoKeyFrame, true, false);
        recording.Write(FrameKind.Audio, 158, Payloads.AudioFrame, false, false); // a bit older than the start: 0
        recording.Write(FrameKind.Audio, 170, Payloads.AudioFrame, false, false);
        recording.Write(FrameKind.Video, 200, Payloads.VideoInterFrame, false, false);
        recording.Write(FrameKind.Data, 200, Payloads.Metadata(("width", 2.0)), false, false); // not written: one per file
        recording.Write(FrameKind.Video, 1160, Payloads.VideoKeyFrame, true, false);
        Assert.True(recording.HasStarted);
        Assert.Equal(TimeSpan.FromSeconds(1), recording.Duration);

        var file = recording.Close();

        Assert.NotNull(file);
        Assert.False(File.Exists(recording.TempPath));
        Assert.Equal(PathOf("live/cam.flv"), file.Path);
        Assert.Equal(time.Now, file.Start);
        Assert.Equal(TimeSpan.FromSeconds(1), file.Duration);
        var bytes = File.ReadAllBytes(file.Path);
        Assert.Equal(bytes.Length, file.Size);
        Assert.Equal(0x05, bytes[4]); // audio and video
        var tags = FlvFile.ReadTags(bytes);
        Assert.Equal(
            [
                (FlvTagType.Script, 0u), (FlvTagType.Video, 0u), (FlvTagType.Audio, 0u), (FlvTagType.Video, 0u),
                (FlvTagType.Audio, 0u), (FlvTagType.Audio, 10u), (FlvTagType.Video, 40u), (FlvTagType.Video, 1000u),
            ],
            tags.Select(t => (t.Type, t.Timestamp)));
        Assert.Equal(Payloads.VideoSequenceHeader, tags[1].Payload);
        Assert.Equal(Payloads.AudioSequenceHeader, tags[2].Payload);

        var metadata = FlvFile.Metadata(tags[0]);
        Assert.Equal(1.0, metadata["duration"]);
        Assert.Equal((double)bytes.Length, metadata["filesize"]);
        Assert.Equal(1.0, metadata["width"]); // the latest before the start
        Assert.Equal(7.0, metadata["videocodecid"]);
        Assert.Equal(10.0, metadata["audiocodecid"]); // from the audio tags
        var keyframes = Assert.IsType<Platform.Media.Amf0.Amf0Object>(metadata["keyframes"]);
        Assert.Equal([0.0, 1.0], Assert.IsType<List<object?>>(keyframes["times"]));
        Assert.Equal([(double)tags[3].Position, (double)tags[7].Position], Assert.IsType<List<object?>>(keyframes["filepositions"]));
    }

    [Fact]
    public void An_audio_only_stream_starts_at_once_at_time_zero()
    {
        using var recording = FlvRecording.Create(PathOf("radio.flv"));
        recording.Write(FrameKind.Audio, 5000, Payloads.AudioSequenceHeader, false, true);
        recording.Write(FrameKind.Audio, 5000, Payloads.AudioFrame, false, false);
        recording.Write(FrameKind.Audio, 5023, Payloads.AudioFrame, false, false);
        var file = recording.Close();

        Assert.NotNull(file);
        Assert.Equal(TimeSpan.FromMilliseconds(23), file.Duration);
        var bytes = File.ReadAllBytes(file.Path);
        Assert.Equal(0x04, bytes[4]); // audio only
        var tags = FlvFile.ReadTags(bytes);
        Assert.Equal([(FlvTagType.Script, 0u), (FlvTagType.Audio, 0u), (FlvTagType.Audio, 0u), (FlvTagType.Audio, 23u)], tags.Select(t => (t.Type, t.Timestamp)));
        var metadata = FlvFile.Metadata(tags[0]);
        Assert.Equal(false, metadata["hasVideo"]);
        Assert.Equal(false, metadata["hasKeyframes"]);
    }

    [Fact]
    public void A_stream_declared_audio_only_starts_with_audio_and_takes_video_from_its_next_keyframe()
    {
        using var recording = FlvRecording.Create(PathOf("a.flv"), hasVideo: false);
        recording.Write(FrameKind.Video, 0, Payloads.VideoSequenceHeader, true, true);
        recording.Write(FrameKind.Video, 0, Payloads.VideoKeyFrame, true, false); // dropped: audio starts the file
        recording.Write(FrameKind.Audio, 10, Payloads.AudioFrame, false, false);
        recording.Write(FrameKind.Video, 40, Payloads.VideoInterFrame, false, false); // dropped: no keyframe yet
        recording.Write(FrameKind.Video, 80, Payloads.VideoKeyFrame, true, false);
        recording.Write(FrameKind.Video, 120, Payloads.VideoInterFrame, false, false);
        var tags = FlvFile.ReadTags(File.ReadAllBytes(recording.Close()!.Path));

        Assert.Equal(
            [(FlvTagType.Script, 0u), (FlvTagType.Video, 0u), (FlvTagType.Audio, 0u), (FlvTagType.Video, 70u), (FlvTagType.Video, 110u)],
            tags.Select(t => (t.Type, t.Timestamp)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(true)]
    public void Audio_waits_for_video_when_video_is_declared_or_announced(bool? hasVideo)
    {
        using var recording = FlvRecording.Create(PathOf("v.flv"), hasVideo: hasVideo);
        if (hasVideo is null)
        {
            recording.Write(FrameKind.Data, 0, Payloads.Metadata(("videocodecid", 7.0)), false, false);
        }

        recording.Write(FrameKind.Audio, 0, Payloads.AudioFrame, false, false);
        Assert.False(recording.HasStarted);
        recording.Write(FrameKind.Video, 40, Payloads.VideoKeyFrame, true, false);
        recording.Write(FrameKind.Audio, 50, Payloads.AudioFrame, false, false);
        Assert.True(recording.HasStarted);
        var tags = FlvFile.ReadTags(File.ReadAllBytes(recording.Close()!.Path));
        Assert.Equal([FlvTagType.Script, FlvTagType.Video, FlvTagType.Audio], tags.Select(t => t.Type));
    }

    [Fact]
    public void A_video_sequence_header_makes_audio_wait_for_the_keyframe()
    {
        using var recording = FlvRecording.Create(PathOf("v.flv"));
        recording.Write(FrameKind.Video, 0, Payloads.VideoSequenceHeader, true, true);
        recording.Write(FrameKind.Audio, 0, Payloads.AudioFrame, false, false);
        Assert.False(recording.HasStarted);
        Assert.Null(recording.Close());
        Assert.False(File.Exists(recording.TempPath));
    }

    [Fact]
    public void Closing_a_recording_without_any_tag_deletes_the_tmp_and_returns_null()
    {
        using var recording = FlvRecording.Create(PathOf("empty.flv"));
        Assert.True(File.Exists(recording.TempPath));
        Assert.Null(recording.Close());
        Assert.False(File.Exists(recording.TempPath));
        Assert.False(File.Exists(recording.FinalPath));
        Assert.Throws<ObjectDisposedException>(() => recording.Write(FrameKind.Audio, 0, Payloads.AudioFrame, false, false));
    }

    [Fact]
    public void After_flush_the_tmp_holds_every_tag_written_so_far_and_nothing_more()
    {
        using var recording = FlvRecording.Create(PathOf("f.flv"));
        recording.Write(FrameKind.Video, 0, Payloads.VideoKeyFrame, true, false);
        for (uint i = 1; i <= 50; i++)
        {
            recording.Write(FrameKind.Video, i * 40, Payloads.VideoInterFrame, false, false);
        }

        recording.Flush();
        using (var copy = new FileStream(recording.TempPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var bytes = new byte[copy.Length];
            copy.ReadExactly(bytes);
            Assert.Equal(recording.Bytes, bytes.Length);
            Assert.Equal(51, FlvFile.ReadTags(bytes).Count);
        }

        recording.Flush(toDisk: true);
        recording.Dispose(); // abandoned, as by a crash: the .tmp stays
        Assert.True(File.Exists(recording.TempPath));
        Assert.False(File.Exists(recording.FinalPath));
    }

    [Fact]
    public void The_next_segment_starts_at_its_keyframe_with_the_headers_of_the_previous_one()
    {
        using var first = FlvRecording.Create(PathOf("seg-1.flv"));
        first.Write(FrameKind.Data, 0, Payloads.Metadata(("width", 640.0)), false, false);
        first.Write(FrameKind.Video, 0, Payloads.VideoSequenceHeader, true, true);
        first.Write(FrameKind.Audio, 0, Payloads.AudioSequenceHeader, false, true);
        first.Write(FrameKind.Video, 0, Payloads.VideoKeyFrame, true, false);
        first.Write(FrameKind.Audio, 10, Payloads.AudioFrame, false, false);

        using var second = first.CreateNext(PathOf("seg-2.flv"));
        Assert.NotNull(first.Close());
        second.Write(FrameKind.Audio, 9990, Payloads.AudioFrame, false, false); // waits: the stream has video
        second.Write(FrameKind.Video, 10_000, Payloads.VideoKeyFrame, true, false);
        var file = second.Close();

        Assert.NotNull(file);
        var tags = FlvFile.ReadTags(File.ReadAllBytes(file.Path));
        Assert.Equal([FlvTagType.Script, FlvTagType.Video, FlvTagType.Audio, FlvTagType.Video], tags.Select(t => t.Type));
        Assert.Equal(640.0, FlvFile.Metadata(tags[0])["width"]);
        Assert.True(tags[1].IsSequenceHeader);
        Assert.True(tags[3].IsVideoKeyFrame);
    }

    [Fact]
    public void A_payload_too_large_for_a_tag_is_refused_before_anything_is_written()
    {
        using var recording = FlvRecording.Create(PathOf("big.flv"), hasVideo: false);
        recording.Write(FrameKind.Audio, 0, Payloads.AudioFrame, false, false);
        var before = recording.Bytes;
        Assert.Throws<ArgumentOutOfRangeException>(
            () => recording.Write(FrameKind.Audio, 1, new byte[FlvWriter.MaxDataSize + 1], false, false));
        Assert.Equal(before, recording.Bytes);
        recording.Write(FrameKind.Audio, 2, Payloads.AudioFrame, false, false);
        Assert.Equal(3, FlvFile.ReadTags(File.ReadAllBytes(recording.Close()!.Path)).Count);
    }
}
