using System.Text.Json;

namespace Platform.EndToEnd.Tests;

/// <summary>ffprobe's view of a URL's streams.</summary>
public static partial class Probe
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z_0-9]+=")]
    private static partial System.Text.RegularExpressions.Regex ProgressLine();

    public sealed record StreamInfo(string CodecType, string CodecName, int Width, int Height, int SampleRate, int Channels);

    public static async Task<IReadOnlyList<StreamInfo>> StreamsAsync(string url, TimeSpan? timeout = null)
    {
        var (exit, stdout, stderr) = await Ffmpeg.RunAsync("ffprobe",
            ["-v", "error", "-rw_timeout", "15000000", "-show_streams", "-of", "json", url], timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"ffprobe failed ({exit}): {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var list = new List<StreamInfo>();
        foreach (var s in doc.RootElement.GetProperty("streams").EnumerateArray())
        {
            list.Add(new StreamInfo(
                s.GetProperty("codec_type").GetString()!,
                s.TryGetProperty("codec_name", out var n) ? n.GetString()! : "",
                s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
                s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
                s.TryGetProperty("sample_rate", out var r) ? int.Parse(r.GetString()!) : 0,
                s.TryGetProperty("channels", out var c) ? c.GetInt32() : 0));
        }

        return list;
    }

    /// <summary>Decodes <paramref name="seconds"/> of the URL's video; returns ffmpeg's error output (empty when clean).</summary>
    public static async Task<(int Exit, string Errors, int Frames)> DecodeAsync(string url, int seconds, TimeSpan? timeout = null)
    {
        var result = await DecodeStreamsAsync(url, seconds, ["-map", "0:v?"], timeout);
        return (result.Exit, result.Errors, result.Frames);
    }

    /// <summary>
    /// Decodes <paramref name="seconds"/> of the URL's video and audio: ffmpeg's exit code, its error output
    /// (empty when clean), the video frames decoded and the output time reached in seconds.
    /// </summary>
    /// <paramref name="inputOptions"/> go before the input; <paramref name="level"/> is ffmpeg's log level (what it prints counts as errors).
    public static Task<(int Exit, string Errors, int Frames, double Seconds)> DecodeAllAsync(
        string url, int seconds, TimeSpan? timeout = null, string[]? inputOptions = null, string level = "error") =>
        DecodeStreamsAsync(url, seconds, ["-map", "0:v?", "-map", "0:a?"], timeout, inputOptions, level);

    /// <summary>ffprobe's <c>format=duration</c> of a file or URL, in seconds.</summary>
    public static async Task<double> DurationAsync(string url)
    {
        var (exit, stdout, stderr) = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0 && stderr.Length == 0, $"ffprobe {url}: {stderr}");
        return double.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(int Exit, string Errors, int Frames, double Seconds)> DecodeStreamsAsync(
        string url, int seconds, string[] maps, TimeSpan? timeout, string[]? inputOptions = null, string level = "error")
    {
        var (exit, _, stderr) = await Ffmpeg.RunAsync("ffmpeg",
            ["-hide_banner", "-nostats", "-v", level, "-rw_timeout", "15000000", .. inputOptions ?? [], "-i", url, "-t", seconds.ToString(), .. maps, "-f", "null", "-progress", "pipe:2", "-"],
            timeout ?? TimeSpan.FromSeconds(seconds + 40));
        var frames = 0;
        var time = 0.0;
        var errors = new List<string>();
        foreach (var line in stderr.Split('\n'))
        {
            if (line.StartsWith("frame=", StringComparison.Ordinal))
            {
                frames = int.Parse(line[6..].Trim());
            }
            else if (line.StartsWith("out_time_us=", StringComparison.Ordinal) && long.TryParse(line[12..].Trim(), out var us))
            {
                time = us / 1e6;
            }
            else if (ProgressLine().IsMatch(line))
            {
                // other -progress key=value lines
            }
            else if (line.Trim().Length > 0)
            {
                errors.Add(line);
            }
        }

        return (exit, string.Join('\n', errors), frames, time);
    }
}
