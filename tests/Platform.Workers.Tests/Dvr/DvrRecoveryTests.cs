using Platform.Media.Flv;
using Platform.Streams.Hub;
using Platform.Workers.Dvr;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Dvr;

/// <summary>Leftovers that are not simply truncated recordings (the real-ffmpeg case is in <see cref="FlvRecordingFfmpegTests"/>).</summary>
public sealed class DvrRecoveryTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-dvr-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string PathOf(string name)
    {
        var path = Path.Combine(_folder.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    [Fact]
    public void Garbage_is_quarantined_without_an_exception_and_the_rest_is_still_recovered()
    {
        var garbage = PathOf("a/garbage.flv.tmp");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 >> 3))]);
        var badFirstTag = PathOf("a/b/bad-tag.flv.tmp");
        File.WriteAllBytes(badFirstTag, [.. FileHeader(), 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var good = Record(PathOf("a/b/c/good.flv"), 3);

        var files = DvrRecovery.FinalizeLeftovers(_folder.FullName);

        var file = Assert.Single(files);
        Assert.Equal(good[..^4], file.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(80), file.Duration);
        Assert.False(File.Exists(garbage));
        Assert.True(File.Exists(PathOf("a/garbage.flv.corrupt")));
        Assert.True(File.Exists(PathOf("a/b/bad-tag.flv.corrupt")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(20)]
    public void A_tmp_without_a_complete_tag_is_deleted(int length)
    {
        var tmp = Record(PathOf("short.flv"), 1);
        var bytes = File.ReadAllBytes(tmp);
        File.WriteAllBytes(tmp, bytes[..length]);

        Assert.Empty(DvrRecovery.FinalizeLeftovers(_folder.FullName));
        Assert.False(File.Exists(tmp));
        Assert.False(File.Exists(PathOf("short.flv")));
        Assert.False(File.Exists(PathOf("short.flv.corrupt")));
    }

    [Fact]
    public void Garbage_after_complete_tags_is_dropped_like_a_truncated_tail()
    {
        var tmp = Record(PathOf("tail.flv"), 5);
        File.AppendAllText(tmp, "this is not an FLV tag at all");

        var file = Assert.Single(DvrRecovery.FinalizeLeftovers(_folder.FullName));

        Assert.Equal(TimeSpan.FromMilliseconds(160), file.Duration);
        Assert.Equal(6, FlvFile.ReadTags(file.Path).Count); // onMetaData and the 5 frames
        Assert.False(File.Exists(tmp));
    }

    [Fact]
    public void A_large_tag_spanning_several_read_buffers_is_recovered()
    {
        var path = PathOf("large.flv");
        using (var recording = FlvRecording.Create(path, hasVideo: false))
        {
            var big = new byte[(3 * FlvRecording.WriteBufferSize) + 17];
            big[0] = 0xAF;
            big[1] = 0x01;
            recording.Write(FrameKind.Audio, 0, Payloads.AudioFrame, false, false);
            recording.Write(FrameKind.Audio, 23, big, false, false);
            recording.Write(FrameKind.Audio, 46, Payloads.AudioFrame, false, false);
        }

        var file = Assert.Single(DvrRecovery.FinalizeLeftovers(_folder.FullName));

        var tags = FlvFile.ReadTags(file.Path);
        Assert.Equal(4, tags.Count);
        Assert.Equal((3 * FlvRecording.WriteBufferSize) + 17, tags[2].Payload.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(46), file.Duration);
    }

    [Fact]
    public void A_missing_root_gives_nothing()
    {
        Assert.Empty(DvrRecovery.FinalizeLeftovers(Path.Combine(_folder.FullName, "none")));
    }

    /// <summary>A recording of one keyframe and <paramref name="frames"/> - 1 inter frames, abandoned: returns the .tmp.</summary>
    private static string Record(string path, int frames)
    {
        using var recording = FlvRecording.Create(path);
        recording.Write(FrameKind.Video, 1000, Payloads.VideoKeyFrame, true, false);
        for (var i = 1; i < frames; i++)
        {
            recording.Write(FrameKind.Video, (uint)(1000 + (i * 40)), Payloads.VideoInterFrame, false, false);
        }

        return recording.TempPath;
    }

    private static byte[] FileHeader()
    {
        var header = new byte[FlvWriter.FileHeaderLength];
        FlvWriter.WriteFileHeader(header, hasAudio: true, hasVideo: true);
        return header;
    }
}
