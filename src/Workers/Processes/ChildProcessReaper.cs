using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Platform.Workers.Processes;

/// <summary>
/// Remembers the processes this node started (one small file each under a folder of the data root), so
/// that children left running by a node that crashed or was killed are found and ended at its next start.
/// A file names the child's pid and start time and the node's own; a child is ended only when its node
/// is gone and the pid still belongs to the same process (pids are reused).
/// </summary>
public sealed class ChildProcessReaper(string folder, ILogger log)
{
    public string Folder { get; } = folder;

    public void Register(Process child)
    {
        try
        {
            Directory.CreateDirectory(Folder);
            var self = Environment.ProcessId;
            File.WriteAllText(PathOf(child.Id), $"{child.Id} {StartTicks(child.Id)} {self} {StartTicks(self)}\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("cannot record child process {Pid} in {Folder}: {Error}", child.Id, Folder, ex.Message);
        }
    }

    public void Unregister(int pid)
    {
        try
        {
            File.Delete(PathOf(pid));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogDebug("cannot remove the record of child process {Pid}: {Error}", pid, ex.Message);
        }
    }

    /// <summary>Ends the children of nodes that are gone; returns how many were ended.</summary>
    public int ReapLeftovers()
    {
        if (!Directory.Exists(Folder))
        {
            return 0;
        }

        var ended = 0;
        foreach (var file in Directory.EnumerateFiles(Folder, "*.pid"))
        {
            var parts = SafeRead(file)?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (parts.Length != 4 || !int.TryParse(parts[0], out var pid) || !int.TryParse(parts[2], out var owner))
            {
                TryDelete(file);
                continue;
            }

            if (IsAlive(owner, parts[3]))
            {
                continue; // another live node's child (two nodes sharing a data folder)
            }

            if (IsAlive(pid, parts[1]))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(2000);
                    ended++;
                    log.LogWarning("ended child process {Pid} left running by a previous run of this node", pid);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    log.LogDebug("child process {Pid} is already gone: {Error}", pid, ex.Message);
                }
            }

            TryDelete(file);
        }

        return ended;
    }

    private string PathOf(int pid) => Path.Combine(Folder, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".pid");

    private static bool IsAlive(int pid, string startTicks) => StartTicks(pid) is { } now && now == startTicks;

    /// <summary>The process's start time in clock ticks since boot (Linux <c>/proc/PID/stat</c> field 22); null when gone.</summary>
    public static string? StartTicks(int pid)
    {
        var stat = SafeRead($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 19 ? fields[19] : null;
    }

    private static string? SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: it is tried again at the next start
        }
    }
}
