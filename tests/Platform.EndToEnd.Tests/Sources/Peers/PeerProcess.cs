using System.Collections.Concurrent;
using System.Globalization;

namespace Platform.EndToEnd.Tests.Sources.Peers;

/// <summary>
/// One peer's process (camera, nginx, ffmpeg sender) that never outlives the test run: it is started through
/// <c>setpriv --pdeathsig KILL</c>, so the kernel kills it when the test host dies however it dies, from one
/// long-lived thread (the parent death signal follows the thread that started the process); a normal exit of
/// the test host kills whatever was not disposed; disposing kills it and its children.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private const string SetPriv = "/usr/bin/setpriv";
    private static readonly BlockingCollection<Action> Launches = StartLauncher();
    private static readonly ConcurrentDictionary<PeerProcess, byte> Running = new();
    private readonly Ffmpeg _process;
    private int _disposed;

    static PeerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var peer in Running.Keys)
            {
                peer.KillNow();
            }
        };
    }

    private PeerProcess(string name, Ffmpeg process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Whether the process ended (or was disposed).</summary>
    public bool HasExited => Volatile.Read(ref _disposed) == 1 || _process.HasExited;

    public string Stdout => _process.Stdout;

    public string Stderr => _process.Stderr;

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>; <paramref name="name"/> names it in errors.</summary>
    public static Task<PeerProcess> StartAsync(string name, string file, IReadOnlyList<string> args)
    {
        var started = new TaskCompletionSource<PeerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        Launches.Add(() =>
        {
            try
            {
                var process = File.Exists(SetPriv)
                    ? Ffmpeg.Start(SetPriv, ["--pdeathsig", "KILL", "--", file, .. args])
                    : Ffmpeg.Start(file, args);
                var peer = new PeerProcess(name, process);
                Running[peer] = 0;
                started.SetResult(peer);
            }
            catch (Exception ex)
            {
                started.SetException(new InvalidOperationException($"{name}: cannot start {file}: {ex.Message}", ex));
            }
        });
        return started.Task;
    }

    /// <summary>Sends a signal (<c>USR1</c>, <c>TERM</c>...) to the process.</summary>
    public void Signal(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The last <paramref name="lines"/> lines of the process's error output and of <paramref name="extra"/>, for an error message.</summary>
    public string Tail(int lines = 20, string? extra = null)
    {
        var text = Stderr + (extra ?? string.Empty);
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var state = Volatile.Read(ref _disposed) == 1 ? "stopped" : _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
        return $"{Name} ({state}), last output:\n  " + string.Join("\n  ", all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Waits until <paramref name="ready"/> holds, failing at once when the process exits, with its output after <paramref name="timeout"/>.</summary>
    public async Task WaitReadyAsync(Func<Task<bool>> ready, TimeSpan timeout, string what, Func<string>? extraOutput = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited before {what}. {Tail(extra: extraOutput?.Invoke())}");
            }

            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidDataException)
            {
                last = ex.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name}: no {what} in {timeout.TotalSeconds} s{(last is null ? string.Empty : $" (last error: {last})")}. {Tail(extra: extraOutput?.Invoke())}");
    }

    /// <summary>Waits for the process to end (it ends by itself, or by <see cref="DisposeAsync"/>).</summary>
    public Task WaitForExitAsync(CancellationToken cancellation) =>
        _process.WaitForExitAsync(Timeout.InfiniteTimeSpan).WaitAsync(cancellation);

    /// <summary>Kills the process and its children; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Running.TryRemove(this, out _);
        await _process.DisposeAsync();
    }

    private void KillNow()
    {
        try
        {
            if (!HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static BlockingCollection<Action> StartLauncher()
    {
        var queue = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (var launch in queue.GetConsumingEnumerable())
            {
                launch();
            }
        })
        {
            IsBackground = true,
            Name = "peer launcher",
        };
        thread.Start();
        return queue;
    }

    /// <summary>The repository's root folder (the one with Platform.sln), above the test's output.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Platform.sln above {AppContext.BaseDirectory}");
    }
}
