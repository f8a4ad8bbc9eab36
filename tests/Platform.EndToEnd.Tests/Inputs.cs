namespace Platform.EndToEnd.Tests;

/// <summary>Small media files made once per test run with the real ffmpeg.</summary>
public static class Inputs
{
    private static readonly SemaphoreSlim Gate = new(1);

    /// <summary>2 s of 320x240 H.264 (GOP 1 s) and AAC in FLV.</summary>
    public static Task<string> SmallFlvAsync() => MakeAsync("platform-e2e-small-v1.flv",
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=44100",
         "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv"]);

    /// <summary>
    /// 10 s of 320x180 H.264 with a keyframe exactly every 480 ms (12 frames at 25 fps, no scene cuts) and AAC,
    /// in FLV: a timeline to publish from different points with <c>-c copy</c>.
    /// </summary>
    public static Task<string> TimelineFlvAsync() => MakeAsync("platform-e2e-timeline-v1.flv",
        ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
         "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-keyint_min", "12", "-sc_threshold", "0", "-bf", "0",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-ac", "2", "-f", "flv"]);

    private static async Task<string> MakeAsync(string name, string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), name);
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                var temp = path + ".part";
                var (exit, _, stderr) = await Ffmpeg.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-y", .. args, temp], TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, stderr);
                File.Move(temp, path, overwrite: true);
            }

            return path;
        }
        finally
        {
            Gate.Release();
        }
    }
}
