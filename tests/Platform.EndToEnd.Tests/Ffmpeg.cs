using System.Diagnostics;
using System.Text;

namespace Platform.EndToEnd.Tests;

/// <summary>Runs the real ffmpeg and ffprobe (or another process), capturing their output; every run is bounded in time.</summary>
public sealed class Ffmpeg : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private Ffmpeg(Process process)
    {
        _process = process;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Ends the process at once, without letting it clean up (SIGKILL on Unix); not its children.</summary>
    public void Kill() => _process.Kill();

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>Publishes lavfi test video (H.264) and tone (AAC, or MP3) in real time; either track can be left out.</summary>
    public static Ffmpeg Publish(string url, int seconds = 600, string audioCodec = "aac", string size = "320x240", int rate = 25, bool video = true, string[]? videoArgs = null, bool audio = true)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-re" };
        if (video)
        {
            args.AddRange(["-f", "lavfi", "-i", $"testsrc=size={size}:rate={rate}"]);
        }

        if (audio)
        {
            args.AddRange(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]);
        }

        if (video)
        {
            args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", rate.ToString(), "-pix_fmt", "yuv420p"]);
            args.AddRange(videoArgs ?? []);
        }

        if (audio)
        {
            args.AddRange(["-c:a", audioCodec, "-b:a", "64k", "-ar", "44100", "-ac", "2"]);
        }

        args.AddRange(["-t", seconds.ToString(), "-f", "flv", url]);
        return Start("ffmpeg", args);
    }

    public static Ffmpeg Start(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var ffmpeg = new Ffmpeg(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (ffmpeg._stderr)
                {
                    ffmpeg._stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (ffmpeg._stdout)
                {
                    ffmpeg._stdout.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return ffmpeg;
    }

    /// <summary>Runs a command to its end within <paramref name="timeout"/>; returns exit code and output.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        await using var run = Start(file, args);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await run._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{file} did not finish in {timeout.TotalSeconds} s: {run.Stderr}");
        }

        run._process.WaitForExit();
        return (run._process.ExitCode, run.Stdout, run.Stderr);
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
            }
        }

        _process.Dispose();
    }
}
