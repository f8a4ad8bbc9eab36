using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Platform.Workers.Processes;

/// <summary>A process to run: the binary and its command line (ffmpeg's, with <c>-progress pipe:1</c> in it).</summary>
public sealed record ProcessSpec(string FileName, string Arguments);

public enum ProcessState
{
    /// <summary>Started, no progress seen yet.</summary>
    Starting,

    /// <summary>Making progress.</summary>
    Running,

    /// <summary>The last run ended; waiting out the backoff before the next.</summary>
    Restarting,

    /// <summary>Gave up after repeated fast failures; an operator starts it again.</summary>
    Failed,

    Stopped,
}

public sealed record SupervisorOptions
{
    public RestartOptions Restart { get; init; } = new();

    /// <summary>A running process that shows no progress for this long is hung: it is killed and restarted.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A started process that shows no progress within this is treated as hung as well.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After SIGINT, how long the process has to finish its output before it is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Lines of the process's log kept (the rest is dropped as it comes).</summary>
    public int LogLines { get; init; } = 40;

    /// <summary>
    /// Tells, from why a run ended (its exit and first error line), a cause that retrying does not cure (a
    /// source's stream that does not exist): such runs give up after <see cref="RestartOptions.MaxPermanentFailures"/>.
    /// </summary>
    public Func<string, bool>? IsPermanent { get; init; }
}

/// <summary>What the API shows of a supervised process.</summary>
public sealed record ProcessStatus(
    ProcessState State,
    string Reason,
    int Restarts,
    int? Pid,
    DateTimeOffset Since,
    long OutTimeMs,
    double Speed,
    IReadOnlyList<string> Log);

/// <summary>
/// Owns one long-running process (ffmpeg): starts it, reads its progress and keeps only the tail of its
/// log, kills it when it stops making progress (a hung ffmpeg never exits), restarts it with backoff and
/// gives up after repeated fast failures, and stops it with SIGINT then a kill after a grace period.
/// Each child is recorded with the <see cref="ChildProcessReaper"/> so that none outlives a crashed node.
/// </summary>
public sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(500);
    private readonly Func<ProcessSpec> _spec;
    private readonly SupervisorOptions _options;
    private readonly ChildProcessReaper? _reaper;
    private readonly ILogger _log;
    private readonly string _name;
    private readonly Action<ProcessStatus>? _changed;
    private readonly TimeProvider _time;
    private readonly LogTail _tail;
    private readonly RestartPolicy _policy;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private ProcessStatus _status;
    private string? _runLastLine;
    private string? _runFirstError;
    private Task? _loop;
    private int _restarts;

    /// <param name="spec">Asked before each run, so a run can be given fresh arguments (credentials, for one).</param>
    public ProcessSupervisor(string name, Func<ProcessSpec> spec, SupervisorOptions options, ChildProcessReaper? reaper, ILogger log, Action<ProcessStatus>? changed = null, TimeProvider? time = null)
    {
        _name = name;
        _spec = spec;
        _options = options;
        _reaper = reaper;
        _log = log;
        _changed = changed;
        _time = time ?? TimeProvider.System;
        _tail = new LogTail(options.LogLines);
        _policy = new RestartPolicy(options.Restart);
        _status = new ProcessStatus(ProcessState.Starting, "not started", 0, null, _time.GetUtcNow(), -1, 0, []);
    }

    public ProcessStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status with { Log = _tail.Lines() };
            }
        }
    }

    /// <summary>Lines of log the process wrote over all its runs, kept or not.</summary>
    public long LogLinesSeen => _tail.Total;

    /// <summary>Ends when the supervisor stopped or gave up.</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    public void Start() => _loop ??= Task.Run(RunLoopAsync);

    /// <summary>Stops the process (SIGINT, then a kill after the grace period) and the supervision.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var started = _time.GetUtcNow();
            var (reason, stopped) = await RunOnceAsync(token).ConfigureAwait(false);
            if (stopped)
            {
                break;
            }

            var decision = _policy.RunEnded(_time.GetUtcNow() - started, _options.IsPermanent?.Invoke(reason) == true);
            if (decision.GiveUp)
            {
                Set(ProcessState.Failed, decision.Permanent
                    ? $"gave up after {_options.Restart.MaxPermanentFailures} tries, retrying does not help: {reason}"
                    : $"gave up after {decision.FastFailures} failures in a row: {reason}", null);
                _log.LogError("{Name}: gave up after {Failures} failures in a row: {Reason}", _name, decision.FastFailures, reason);
                return;
            }

            _restarts++;
            Set(ProcessState.Restarting, $"restarting in {decision.Delay.TotalSeconds:0.#} s: {reason}", null);
            _log.LogWarning("{Name}: {Reason}; restarting in {Delay} s", _name, reason, decision.Delay.TotalSeconds);
            try
            {
                await Task.Delay(decision.Delay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Set(ProcessState.Stopped, "stopped", null);
    }

    /// <summary>One run: the reason it ended, and whether it ended because the supervisor stops.</summary>
    private async Task<(string Reason, bool Stopped)> RunOnceAsync(CancellationToken token)
    {
        var spec = _spec();
        var info = new ProcessStartInfo(spec.FileName, spec.Arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _tail.Add($"cannot start {spec.FileName}: {ex.Message}");
            return ($"cannot start {spec.FileName}: {ex.Message}", false);
        }

        using (process)
        {
            _reaper?.Register(process);
            var pid = process.Id;
            Set(ProcessState.Starting, "started, waiting for progress", pid);
            _log.LogInformation("{Name}: started {File} (pid {Pid})", _name, Path.GetFileName(spec.FileName), pid);

            _runLastLine = null;
            _runFirstError = null;
            var progress = new FfmpegProgress();
            var lastProgress = 0L;
            var startedAt = _time.GetTimestamp();
            var stdout = Task.Run(() => PumpProgressAsync(process.StandardOutput, progress, () => Interlocked.Exchange(ref lastProgress, _time.GetTimestamp()), pid), CancellationToken.None);
            var stderr = Task.Run(() => PumpLogAsync(process.StandardError), CancellationToken.None);
            string reason;
            var stopped = false;
            try
            {
                while (true)
                {
                    var exited = process.WaitForExitAsync(CancellationToken.None);
                    var tick = Task.Delay(WatchInterval, _time, token);
                    await Task.WhenAny(exited, tick).ConfigureAwait(false);
                    if (exited.IsCompleted)
                    {
                        await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        reason = $"exited with code {process.ExitCode}" + ((Volatile.Read(ref _runFirstError) ?? Volatile.Read(ref _runLastLine)) is { } line ? $": {line}" : string.Empty);
                        break;
                    }

                    if (token.IsCancellationRequested)
                    {
                        await StopProcessAsync(process).ConfigureAwait(false);
                        reason = "stopped";
                        stopped = true;
                        break;
                    }

                    var last = Interlocked.Read(ref lastProgress);
                    if (last == 0 && _time.GetElapsedTime(startedAt) > _options.StartTimeout)
                    {
                        reason = $"stalled: no progress within {_options.StartTimeout.TotalSeconds:0.#} s of the start";
                        Kill(process);
                        break;
                    }

                    if (last != 0 && _time.GetElapsedTime(last) > _options.StallTimeout)
                    {
                        reason = $"stalled: no progress for {_options.StallTimeout.TotalSeconds:0.#} s";
                        Kill(process);
                        break;
                    }
                }
            }
            finally
            {
                _reaper?.Unregister(pid);
            }

            if (!stopped)
            {
                _tail.Add($"[supervisor] {reason}");
            }

            return (reason, stopped);
        }
    }

    private async Task PumpProgressAsync(StreamReader output, FfmpegProgress progress, Action advanced, int pid)
    {
        while (await output.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (progress.Advanced(line))
            {
                advanced();
                lock (_gate)
                {
                    var state = _status.State == ProcessState.Starting ? ProcessState.Running : _status.State;
                    var changed = state != _status.State;
                    _status = _status with { State = state, Reason = state == ProcessState.Running ? "running" : _status.Reason, Pid = pid, OutTimeMs = progress.OutTimeUs / 1000, Speed = progress.Speed, Since = changed ? _time.GetUtcNow() : _status.Since };
                    if (!changed)
                    {
                        continue;
                    }
                }

                _changed?.Invoke(Status);
            }
        }
    }

    private async Task PumpLogAsync(StreamReader error)
    {
        // Lines are read one by one and only the tail is kept: nothing grows with the process's age.
        while (await error.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                _tail.Add(line);
                if (!string.IsNullOrWhiteSpace(line))
                {
                    var kept = line.Length > LogTail.MaxLineLength ? line[..LogTail.MaxLineLength] : line;
                    Volatile.Write(ref _runLastLine, kept);
                    if (Volatile.Read(ref _runFirstError) is null && ErrorLine().IsMatch(kept))
                    {
                        // ffmpeg's cause comes first; what it prints while closing (frames left...) comes last.
                        Volatile.Write(ref _runFirstError, kept);
                    }
                }

                _log.LogDebug("{Name}: {Line}", _name, line);
            }
        }
    }

    private async Task StopProcessAsync(Process process)
    {
        // SIGINT rather than q on stdin: ffmpeg blocked reading a source that went quiet never reads its
        // keyboard. The first SIGINT ends its loop at the next packet; a second one a moment later also
        // interrupts a blocked read (ffmpeg's interrupt callback needs two once it is transcoding). Either
        // way it then closes its output properly.
        if (Interrupt(process.Id) != 0)
        {
            Kill(process);
            return;
        }

        var pid = process.Id;
        var first = TimeSpan.FromTicks(Math.Min(_options.StopGrace.Ticks, TimeSpan.FromSeconds(1).Ticks));
        if (await ExitsWithinAsync(process, first).ConfigureAwait(false)
            || (Interrupt(pid) == 0 && await ExitsWithinAsync(process, _options.StopGrace - first).ConfigureAwait(false)))
        {
            _log.LogInformation("{Name}: stopped (pid {Pid})", _name, pid);
            return;
        }

        _log.LogWarning("{Name}: did not stop within {Grace} s of SIGINT, killed", _name, _options.StopGrace.TotalSeconds);
        Kill(process);
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return process.HasExited;
        }
    }

    private const int SigInt = 2;

    [System.Text.RegularExpressions.GeneratedRegex(@"(?i)\b(error|invalid|unknown|failed|not found|refused|denied|no such|cannot|could not|unable)\b")]
    private static partial System.Text.RegularExpressions.Regex ErrorLine();

    private static int Interrupt(int pid) => OperatingSystem.IsWindows() ? -1 : SendSignal(pid, SigInt);

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code; kill(2) takes two ints
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054

    private void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(2000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            _log.LogDebug("{Name}: kill: {Error}", _name, ex.Message);
        }
    }

    private void Set(ProcessState state, string reason, int? pid)
    {
        lock (_gate)
        {
            _status = _status with { State = state, Reason = reason, Pid = pid, Since = _time.GetUtcNow(), Restarts = _restarts };
        }

        _changed?.Invoke(Status);
    }
}
