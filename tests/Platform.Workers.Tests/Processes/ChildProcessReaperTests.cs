using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Workers.Processes;
using Platform.Workers.Tests.TestSupport;

namespace Platform.Workers.Tests.Processes;

public sealed class ChildProcessReaperTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("platform-reaper-");
    private readonly List<Process> _started = [];

    private string Records => Path.Combine(_folder.FullName, "children");

    private Process StartProcess(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        _started.Add(process);
        return process;
    }

    /// <summary>The pid of a process that has come and gone.</summary>
    private int GonePid()
    {
        var process = StartProcess("true");
        Assert.True(process.WaitForExit(10_000));
        return process.Id;
    }

    private string WriteRecord(int pid, string startTicks, int owner, string ownerTicks)
    {
        Directory.CreateDirectory(Records);
        var path = Path.Combine(Records, $"{pid}.pid");
        File.WriteAllText(path, $"{pid} {startTicks} {owner} {ownerTicks}\n");
        return path;
    }

    private static string Ticks(int pid) => ChildProcessReaper.StartTicks(pid) ?? throw new InvalidOperationException($"no start ticks for {pid}");

    [Fact]
    public void Start_ticks_are_read_for_live_processes_only()
    {
        var self = ChildProcessReaper.StartTicks(Environment.ProcessId);
        Assert.NotNull(self);
        Assert.True(long.TryParse(self, out var selfTicks) && selfTicks > 0, self);

        var child = StartProcess("sleep", "100");
        Assert.True(long.Parse(Ticks(child.Id), System.Globalization.CultureInfo.InvariantCulture) >= selfTicks);
        Assert.Equal(Ticks(child.Id), ChildProcessReaper.StartTicks(child.Id)); // stable

        Assert.Null(ChildProcessReaper.StartTicks(GonePid()));
    }

    [Fact]
    public async Task Start_ticks_are_read_past_a_command_name_with_spaces_and_parentheses()
    {
        var odd = Path.Combine(_folder.FullName, "a b) c (d");
        File.CreateSymbolicLink(odd, "/bin/sleep");
        var before = StartProcess("sleep", "100");
        await Task.Delay(50); // start ticks are in 1/100 s
        var middle = StartProcess(odd, "100");
        await Task.Delay(50);
        var after = StartProcess("sleep", "100");

        Assert.Contains(") c (d", File.ReadAllText($"/proc/{middle.Id}/stat"), StringComparison.Ordinal);
        var ticks = long.Parse(Ticks(middle.Id), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ticks, long.Parse(Ticks(before.Id), System.Globalization.CultureInfo.InvariantCulture), long.Parse(Ticks(after.Id), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_child_whose_owner_is_gone_is_ended()
    {
        var child = StartProcess("sleep", "100");
        var record = WriteRecord(child.Id, Ticks(child.Id), GonePid(), "1");
        var reaper = new ChildProcessReaper(Records, NullLogger.Instance);

        Assert.Equal(1, reaper.ReapLeftovers());
        await Poll.UntilAsync(() => child.HasExited, "the leftover child ended");
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void A_child_whose_owner_lives_is_left_alone()
    {
        var child = StartProcess("sleep", "100");
        var record = WriteRecord(child.Id, Ticks(child.Id), Environment.ProcessId, Ticks(Environment.ProcessId));
        var reaper = new ChildProcessReaper(Records, NullLogger.Instance);

        Assert.Equal(0, reaper.ReapLeftovers());
        Assert.False(child.WaitForExit(300));
        Assert.True(File.Exists(record));
    }

    [Fact]
    public void A_pid_now_used_by_another_process_is_not_ended()
    {
        // The record's start time is not the live process's: the pid was reused, the child is long gone.
        var other = StartProcess("sleep", "100");
        var record = WriteRecord(other.Id, "1", GonePid(), "1");
        var reaper = new ChildProcessReaper(Records, NullLogger.Instance);

        Assert.Equal(0, reaper.ReapLeftovers());
        Assert.False(other.WaitForExit(300));
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void A_record_of_a_child_already_gone_is_removed()
    {
        var record = WriteRecord(GonePid(), "12345", GonePid(), "1");
        Assert.Equal(0, new ChildProcessReaper(Records, NullLogger.Instance).ReapLeftovers());
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void Garbage_records_are_removed_and_other_files_kept()
    {
        Directory.CreateDirectory(Records);
        var garbage = new[] { "junk.pid", "empty.pid", "three.pid", "letters.pid" }.Select(n => Path.Combine(Records, n)).ToArray();
        File.WriteAllText(garbage[0], "hello world");
        File.WriteAllText(garbage[1], string.Empty);
        File.WriteAllText(garbage[2], "1 2 3\n");
        File.WriteAllText(garbage[3], "x 2 y 4\n");
        var other = Path.Combine(Records, "notes.txt");
        File.WriteAllText(other, "1 2 3 4");

        Assert.Equal(0, new ChildProcessReaper(Records, NullLogger.Instance).ReapLeftovers());
        Assert.All(garbage, g => Assert.False(File.Exists(g), g));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void A_missing_folder_has_nothing_to_reap()
    {
        var reaper = new ChildProcessReaper(Path.Combine(_folder.FullName, "never-made"), NullLogger.Instance);
        Assert.Equal(0, reaper.ReapLeftovers());
        Assert.False(Directory.Exists(reaper.Folder));
    }

    [Fact]
    public void Register_writes_the_record_and_unregister_removes_it()
    {
        var reaper = new ChildProcessReaper(Records, NullLogger.Instance);
        var child = StartProcess("sleep", "100");
        reaper.Register(child);

        var record = Path.Combine(Records, $"{child.Id}.pid");
        Assert.Equal($"{child.Id} {Ticks(child.Id)} {Environment.ProcessId} {Ticks(Environment.ProcessId)}\n", File.ReadAllText(record));

        // Its owner (this process) lives: a reap at this point leaves it.
        Assert.Equal(0, reaper.ReapLeftovers());
        Assert.False(child.HasExited);

        reaper.Unregister(child.Id);
        Assert.False(File.Exists(record));
        reaper.Unregister(child.Id); // twice is harmless
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(2000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            process.Dispose();
        }

        _folder.Delete(recursive: true);
    }
}
