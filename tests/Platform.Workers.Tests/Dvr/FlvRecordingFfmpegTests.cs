using System.Globalization;
using Platform.Media.Amf0;
using Platform.Media.Flv;
using Platform.Workers.Dvr;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Dvr;

/// <summary>
/// Recordings fed the tags of a real FLV made by ffmpeg, checked with the real ffprobe and ffmpeg and by
/// reading the onMetaData index back.
/// </summary>
public sealed class FlvRecordingFfmpegTests : IClassFixture<FfmpegSample>, IDisposable
{
    private readonly FfmpegSample _sample;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-dvr-");

    public FlvRecordingFfmpegTests(FfmpegSample sample)
    {
        _sample = sample;
    }

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task A_recording_started_mid_stream_waits_for_a_keyframe_and_plays_with_a_correct_index()
    {
        var tags = _sample.Tags;
        var path = Path.Combine(_folder.FullName, "out.flv");
        using var recording = FlvRecording.Create(path);

        // As a late reader of the hub: the cached metadata and sequence headers, then the stream from tag 30.
        var headers = tags.Take(5).Where(t => t.Type == FlvTagType.Script || t.IsSequenceHeader).ToList();
        Assert.Equal(3, headers.Count);
        foreach (var tag in headers)
        {
            Feed(recording, tag);
        }

        const int Skip = 30;
        var firstKey = tags.Skip(Skip).First(t => t.IsVideoKeyFrame);
        Assert.NotEqual(tags[Skip], firstKey); // there is something to drop before the keyframe
        foreach (var tag in tags.Skip(Skip))
        {
            Feed(recording, tag);
        }

        var expectedMs = tags.SkipWhile(t => t != firstKey).Max(t => t.Timestamp) - firstKey.Timestamp;
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), recording.Duration);
        var file = recording.Close();

        Assert.NotNull(file);
        Assert.False(File.Exists(recording.TempPath));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), file.Duration);
        var written = FlvFile.ReadTags(path);
        Assert.Equal(
            [FlvTagType.Script, FlvTagType.Video, FlvTagType.Audio, FlvTagType.Video],
            written.Take(4).Select(t => t.Type));
        Assert.True(written[1].IsSequenceHeader);
        Assert.True(written[2].IsSequenceHeader);
        Assert.True(written[3].IsVideoKeyFrame);
        Assert.Equal(firstKey.Payload, written[3].Payload);
        Assert.Equal(0u, written[3].Timestamp);
        Assert.Single(written, t => t.Type == FlvTagType.Script);

        var metadata = await AssertPlayableWithIndex(path, expectedMs);
        Assert.Equal(320.0, metadata["width"]);
        Assert.Equal(240.0, metadata["height"]);
        Assert.Equal(7.0, metadata["videocodecid"]);
        Assert.Equal(10.0, metadata["audiocodecid"]);
        Assert.Equal(file.Size, new FileInfo(path).Length);
    }

    [Fact]
    public async Task A_killed_recording_is_recovered_up_to_its_last_complete_tag()
    {
        var root = Path.Combine(_folder.FullName, "dvr");
        var path = Path.Combine(root, "live", "cam", "cam.flv");
        var recording = FlvRecording.Create(path);
        foreach (var tag in _sample.Tags)
        {
            Feed(recording, tag);
        }

        recording.Flush();

        // What a killed process leaves: the flushed bytes, cut in the middle of a tag.
        var tmp = File.ReadAllBytes(recording.TempPath);
        recording.Dispose();
        var tmpTags = FlvFile.ReadTags(tmp);
        var cut = tmpTags[tmpTags.Count * 2 / 3];
        var cutAt = cut.Position + FlvWriter.TagHeaderLength + (cut.Payload.Length / 2);
        await File.WriteAllBytesAsync(recording.TempPath, tmp.AsMemory(0, (int)cutAt));
        var expectedMs = tmpTags.TakeWhile(t => t != cut).Max(t => t.Timestamp);

        var files = DvrRecovery.FinalizeLeftovers(root);

        var file = Assert.Single(files);
        Assert.Equal(path, file.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), file.Duration);
        Assert.False(File.Exists(recording.TempPath));
        Assert.Equal(file.Size, new FileInfo(path).Length);
        Assert.Equal(tmpTags.IndexOf(cut), FlvFile.ReadTags(path).Count); // the stream's onMetaData replaced by ours
        await AssertPlayableWithIndex(path, expectedMs);
        Assert.Empty(DvrRecovery.FinalizeLeftovers(root)); // nothing left to do
    }

    [Fact]
    public void Recovery_of_a_complete_tmp_gives_the_same_bytes_as_close()
    {
        var path = Path.Combine(_folder.FullName, "closed", "a.flv");
        var otherRoot = Path.Combine(_folder.FullName, "recovered");
        Directory.CreateDirectory(otherRoot);
        using var recording = FlvRecording.Create(path);
        foreach (var tag in _sample.Tags)
        {
            Feed(recording, tag);
        }

        recording.Flush();
        File.Copy(recording.TempPath, Path.Combine(otherRoot, "a.flv.tmp"));
        var closed = recording.Close();
        var recovered = Assert.Single(DvrRecovery.FinalizeLeftovers(otherRoot));

        Assert.NotNull(closed);
        Assert.Equal(closed.Duration, recovered.Duration);
        Assert.Equal(closed.Size, recovered.Size);
        Assert.Equal(File.ReadAllBytes(closed.Path), File.ReadAllBytes(recovered.Path));
    }

    private static void Feed(FlvRecording recording, TestTag tag) =>
        recording.Write(tag.Kind, tag.Timestamp, tag.Payload, tag.IsKeyFrame, tag.IsSequenceHeader);

    /// <summary>
    /// ffprobe reads the expected duration, ffmpeg decodes (and seeks) without even a warning, and the onMetaData has the
    /// duration, the real file size and a keyframe index whose every position is a video keyframe tag.
    /// </summary>
    private static async Task<Amf0Object> AssertPlayableWithIndex(string path, uint expectedMs)
    {
        var probe = await ExternalTool.RunCleanAsync(
            "ffprobe", ["-v", "warning", "-show_entries", "format=duration", "-of", "csv=p=0", path]);
        var probed = double.Parse(probe.Trim(), CultureInfo.InvariantCulture);
        Assert.InRange(probed, (expectedMs / 1000.0) - 0.1, (expectedMs / 1000.0) + 0.1);
        await ExternalTool.RunCleanAsync("ffmpeg", ["-v", "warning", "-i", path, "-f", "null", "-"]);
        await ExternalTool.RunCleanAsync("ffmpeg", ["-v", "warning", "-ss", "2.5", "-i", path, "-frames:v", "5", "-f", "null", "-"]);

        var bytes = await File.ReadAllBytesAsync(path);
        var tags = FlvFile.ReadTags(bytes);
        var metadata = FlvFile.Metadata(tags[0]);
        Assert.Equal(expectedMs / 1000.0, metadata["duration"]);
        Assert.Equal((double)bytes.Length, metadata["filesize"]);
        var keyframes = Assert.IsType<Amf0Object>(metadata["keyframes"]);
        var times = Assert.IsType<List<object?>>(keyframes["times"]);
        var positions = Assert.IsType<List<object?>>(keyframes["filepositions"]);
        Assert.Equal(tags.Count(t => t.IsVideoKeyFrame), positions.Count);
        Assert.Equal(times.Count, positions.Count);
        Assert.True(positions.Count >= 4, $"only {positions.Count} keyframes");
        for (var i = 0; i < positions.Count; i++)
        {
            var tag = FlvFile.ReadTagAt(bytes, (long)(double)positions[i]!);
            Assert.True(tag.IsVideoKeyFrame, $"keyframe {i} at {positions[i]} is a {tag.Type} tag");
            Assert.Equal(tag.Timestamp / 1000.0, (double)times[i]!);
        }

        return metadata;
    }
}
