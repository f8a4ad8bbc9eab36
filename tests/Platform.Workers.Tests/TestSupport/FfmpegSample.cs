namespace Platform.Workers.Tests.TestSupport;

/// <summary>
/// A 6 s FLV made once by the real ffmpeg (H.264 320x240 at 25 fps, a keyframe every second, AAC), shared
/// by the tests of a class.
/// </summary>
public sealed class FfmpegSample : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-dvr-sample-");

    public string Path => System.IO.Path.Combine(_folder.FullName, "in.flv");

    public IReadOnlyList<TestTag> Tags { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await ExternalTool.RunCleanAsync("ffmpeg", [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", "6", "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f", "flv", Path]);
        Tags = FlvFile.ReadTags(Path);
    }

    public Task DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
