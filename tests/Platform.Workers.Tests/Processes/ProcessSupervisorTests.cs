using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Workers.Processes;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Processes;

/// <summary>The supervisor running real <c>/bin/sh</c> scripts that play ffmpeg's part.</summary>
public sealed class ProcessSupervisorTests : IDisposable
{
    /// <summary>Prints an ffmpeg-like progress block every 100 ms, forever.</summary>
    private const string Progressing = """
        i=0
        while true; do
          i=$((i+1))
          echo "frame=$i"
          echo "out_time_us=$((i*100000))"
          echo "speed=1.5x"
          echo "progress=continue"
          sleep 0.1
        done
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-supervisor-");
    private readonly List<ProcessSupervisor> _supervisors = [];

    private static SupervisorOptions Options(int maxFastFailures = 3) => new()
    {
        Restart = new RestartOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200), MaxFastFailures = maxFastFailures },
        StallTimeout = TimeSpan.FromSeconds(1),
        StartTimeout = TimeSpan.FromSeconds(10),
        StopGrace = TimeSpan.FromSeconds(10),
        LogLines = 20,
    };

    private string Script(string name, string body)
    {
        var path = Path.Combine(_folder.FullName, name + ".sh");
        File.WriteAllText(path, body.ReplaceLineEndings("\n") + "\n");
        return path;
    }

    private ProcessSupervisor Start(string script, SupervisorOptions options, ChildProcessReaper? reaper = null, Action<ProcessStatus>? changed = null) =>
        Start(new ProcessSpec("/bin/sh", script), options, reaper, changed);

    private ProcessSupervisor Start(ProcessSpec spec, SupervisorOptions options, ChildProcessReaper? reaper = null, Action<ProcessStatus>? changed = null)
    {
        var supervisor = new ProcessSupervisor("test", () => spec, options, reaper, NullLogger.Instance, changed);
        _supervisors.Add(supervisor);
        supervisor.Start();
        return supervisor;
    }

    private static bool Exists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_run_s_reason_quotes_only_what_that_run_wrote()
    {
        var marker = Path.Combine(_folder.FullName, "ran-once");
        var script = Script("once-loud", $$"""
            if [ -f "{{marker}}" ]; then exit 3; fi
            touch "{{marker}}"
            echo boom >&2
            exit 1
            """);
        var supervisor = Start(script, Options(maxFastFailures: 3));
        await supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(ProcessState.Failed, supervisor.Status.State);
        Assert.Equal("gave up after 3 failures in a row: exited with code 3", supervisor.Status.Reason);
        Assert.Contains("boom", supervisor.Status.Log);
    }

    [Fact]
    public async Task A_process_that_fails_at_once_is_given_up_after_the_maximum_of_fast_failures()
    {
        var script = Script("fail", """
            echo "rtmp://127.0.0.1/live: Connection refused" >&2
            exit 1
            """);
        var states = new ConcurrentQueue<ProcessState>();
        var runs = 0;
        var spec = new ProcessSpec("/bin/sh", script);
        var supervisor = new ProcessSupervisor("test", () => { Interlocked.Increment(ref runs); return spec; }, Options(maxFastFailures: 3), null, NullLogger.Instance, s => states.Enqueue(s.State));
        _supervisors.Add(supervisor);
        supervisor.Start();

        await supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        var status = supervisor.Status;
        Assert.Equal(ProcessState.Failed, status.State);
        Assert.Contains("gave up after 3 failures in a row", status.Reason, StringComparison.Ordinal);
        Assert.Contains("exited with code 1", status.Reason, StringComparison.Ordinal);
        Assert.Contains("Connection refused", status.Reason, StringComparison.Ordinal);
        Assert.Equal(2, status.Restarts);
        Assert.Null(status.Pid);
        Assert.Equal(3, runs);
        Assert.Equal(2, states.Count(s => s == ProcessState.Restarting));
        Assert.Equal(ProcessState.Failed, states.Last());
        Assert.Contains(status.Log, l => l.StartsWith("[supervisor] exited with code 1", StringComparison.Ordinal));

        // Stopping one that gave up leaves it failed.
        await supervisor.StopAsync();
        Assert.Equal(ProcessState.Failed, supervisor.Status.State);
    }

    [Fact]
    public async Task A_process_that_shows_progress_is_running_and_recorded()
    {
        var reaper = new ChildProcessReaper(Path.Combine(_folder.FullName, "children"), NullLogger.Instance);
        var supervisor = Start(Script("progress", Progressing), Options(), reaper);

        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Running, "running");
        var status = supervisor.Status;
        Assert.Equal("running", status.Reason);
        Assert.NotNull(status.Pid);
        Assert.Equal(0, status.Restarts);
        await Poll.UntilAsync(() => supervisor.Status.OutTimeMs >= 300, "output time read from the progress");
        Assert.Equal(1.5, supervisor.Status.Speed, 3);

        // Recorded with the reaper while it runs, as "pid ticks owner ticks".
        var record = Path.Combine(reaper.Folder, $"{status.Pid}.pid");
        Assert.True(File.Exists(record));
        Assert.Equal(
            $"{status.Pid} {ChildProcessReaper.StartTicks(status.Pid!.Value)} {Environment.ProcessId} {ChildProcessReaper.StartTicks(Environment.ProcessId)}\n",
            File.ReadAllText(record));

        // Two seconds of progress is no stall.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(ProcessState.Running, supervisor.Status.State);
        Assert.Equal(0, supervisor.Status.Restarts);

        await supervisor.StopAsync();
        Assert.Equal(ProcessState.Stopped, supervisor.Status.State);
        Assert.False(File.Exists(record));
        Assert.False(Exists(status.Pid.Value));
    }

    [Fact]
    public async Task A_process_that_stops_making_progress_is_killed_and_restarted()
    {
        var script = Script("stall", """
            echo "frame=1"
            echo "out_time_us=40000"
            echo "progress=continue"
            echo "frame=2"
            echo "out_time_us=80000"
            echo "progress=continue"
            exec sleep 1000
            """);
        var supervisor = Start(script, Options(maxFastFailures: 100));

        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Running, "running");
        var first = supervisor.Status.Pid!.Value;
        await Poll.UntilAsync(() => supervisor.Status.Restarts >= 1, "restarted after the stall");
        Assert.Contains(supervisor.Status.Log, l => l.Contains("stalled: no progress for 1 s", StringComparison.Ordinal));
        await Poll.UntilAsync(() => !Exists(first), "the stalled process is gone");
        await Poll.UntilAsync(() => supervisor.Status.Pid is { } pid && pid != first, "a new run");
    }

    [Fact]
    public async Task A_process_that_never_shows_progress_is_killed_after_the_start_timeout()
    {
        var supervisor = Start(Script("silent", "exec sleep 1000"), Options(maxFastFailures: 100) with { StartTimeout = TimeSpan.FromSeconds(1) });

        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Starting && supervisor.Status.Pid is not null, "started");
        var first = supervisor.Status.Pid!.Value;
        await Poll.UntilAsync(() => supervisor.Status.Restarts >= 1, "restarted after the start timeout");
        Assert.Contains(supervisor.Status.Log, l => l.Contains("stalled: no progress within 1 s of the start", StringComparison.Ordinal));
        await Poll.UntilAsync(() => !Exists(first), "the silent process is gone");
    }

    [Fact]
    public async Task Stop_interrupts_the_process_and_it_ends_on_its_own_within_the_grace()
    {
        var marker = Path.Combine(_folder.FullName, "interrupted");
        var script = Script("trap", $"""
            trap 'echo yes > "{marker}"; exit 0' INT
            {Progressing}
            """);
        // A shell cannot trap a signal that was ignored when it started (POSIX), and a test run started in
        // the background inherits SIGINT ignored: perl puts the default back before the shell starts, as
        // ffmpeg does for itself by installing its own handler.
        var supervisor = Start(new ProcessSpec("/usr/bin/perl", $"-e \"$SIG{{INT}}='DEFAULT'; exec @ARGV\" /bin/sh {script}"), Options());
        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Running, "running");
        var pid = supervisor.Status.Pid!.Value;

        var clock = Stopwatch.StartNew();
        await supervisor.StopAsync();
        clock.Stop();

        Assert.Equal(ProcessState.Stopped, supervisor.Status.State);
        Assert.Equal("stopped", supervisor.Status.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        Assert.True(File.Exists(marker), "the script did not see SIGINT (it was killed instead)");
        Assert.False(Exists(pid));
        Assert.True(supervisor.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_process_that_ignores_the_interrupt_is_killed_after_the_grace()
    {
        var script = Script("deaf", $"""
            trap '' INT
            {Progressing}
            """);
        var supervisor = Start(script, Options() with { StopGrace = TimeSpan.FromSeconds(2) });
        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Running, "running");
        var pid = supervisor.Status.Pid!.Value;

        var clock = Stopwatch.StartNew();
        await supervisor.StopAsync();
        clock.Stop();

        Assert.Equal(ProcessState.Stopped, supervisor.Status.State);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        Assert.False(Exists(pid));
    }

    [Fact]
    public async Task A_chatty_process_keeps_only_the_tail_of_its_log()
    {
        var script = Script("chatty", """
            i=0
            while [ $i -lt 20000 ]; do
              echo "warning line $i" >&2
              i=$((i+1))
            done
            exec sleep 1000
            """);
        var options = Options() with { LogLines = 25, StartTimeout = TimeSpan.FromSeconds(60) };
        var supervisor = Start(script, options);

        await Poll.UntilAsync(() => supervisor.LogLinesSeen >= 20000, "all 20000 lines read");
        var log = supervisor.Status.Log;
        Assert.True(log.Count <= options.LogLines, $"{log.Count} lines kept");
        Assert.Equal("warning line 19999", log[^1]);
        Assert.Equal("warning line 19975", log[0]);
        Assert.Equal(20000, supervisor.LogLinesSeen);
        Assert.Equal(0, supervisor.Status.Restarts);
    }

    [Fact]
    public async Task A_binary_that_does_not_exist_ends_failed()
    {
        var missing = Path.Combine(_folder.FullName, "no-such-ffmpeg");
        var supervisor = Start(new ProcessSpec(missing, "-version"), Options(maxFastFailures: 3));

        await supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        var status = supervisor.Status;
        Assert.Equal(ProcessState.Failed, status.State);
        Assert.Contains($"cannot start {missing}", status.Reason, StringComparison.Ordinal);
        Assert.Equal(2, status.Restarts);
        Assert.Contains(status.Log, l => l.StartsWith("cannot start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_during_the_backoff_ends_stopped()
    {
        var supervisor = Start(Script("exit", "exit 3"), Options(maxFastFailures: 100) with
        {
            Restart = new RestartOptions { InitialBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30), MaxFastFailures = 100 },
        });

        await Poll.UntilAsync(() => supervisor.Status.State == ProcessState.Restarting, "waiting out the backoff");
        Assert.StartsWith("restarting in 30 s: exited with code 3", supervisor.Status.Reason, StringComparison.Ordinal);
        await supervisor.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ProcessState.Stopped, supervisor.Status.State);
    }

    public void Dispose()
    {
        foreach (var supervisor in _supervisors)
        {
            supervisor.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(20));
        }

        _folder.Delete(recursive: true);
    }
}
