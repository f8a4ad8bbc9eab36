namespace Platform.EndToEnd.Tests;

/// <summary>Small media files made once per test run with the real ffmpeg.</summary>
public static class Inputs
{
    private static readonly SemaphoreSlim Gate = new(1);

    /// <summary>2 s of 320x240 H.264 (GOP 1 s) and AAC in FLV.</summary>
    public static async Task<string> SmallFlvAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "platform-e2e-small-v1.flv");
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                var temp = path + ".part";
                var (exit, _, stderr) = await Ffmpeg.RunAsync("ffmpeg",
                    ["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=44100",
                     "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", temp],
                    TimeSpan.FromSeconds(60));
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
