using System.Diagnostics;

namespace Platform.Workers.Tests.TestSupport;

/// <summary>Runs a real tool (ffmpeg, ffprobe) to its end within a time limit, capturing its output.</summary>
public static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in {Timeout.TotalSeconds} s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs the tool and requires exit code 0 and nothing on stderr; returns stdout.</summary>
    public static async Task<string> RunCleanAsync(string file, IEnumerable<string> args)
    {
        var (exit, stdout, stderr) = await RunAsync(file, args);
        Assert.True(exit == 0 && stderr.Length == 0, $"{file} exited with {exit}: {stderr}");
        return stdout;
    }
}
