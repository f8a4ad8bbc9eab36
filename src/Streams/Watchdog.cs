using System.Collections.Concurrent;

namespace Platform.Streams;

/// <summary>
/// Once-a-second checks of many connections (a send stuck past its timeout) on one shared timer: a
/// timer per connection would fire thousands of callbacks a second on a node with thousands of players.
/// A check must be quick and must not throw.
/// </summary>
public static class Watchdog
{
    private static readonly ConcurrentDictionary<long, Action> s_checks = new();
    private static readonly Timer s_timer = new(static _ => RunChecks(), null, Timeout.Infinite, Timeout.Infinite);
    private static long s_nextId;
    private static int s_started;

    /// <summary>Runs <paramref name="check"/> about once a second until the returned handle is disposed.</summary>
    public static Registration Register(Action check)
    {
        var id = Interlocked.Increment(ref s_nextId);
        s_checks[id] = check;
        if (Interlocked.Exchange(ref s_started, 1) == 0)
        {
            s_timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        return new Registration(id);
    }

    private static void RunChecks()
    {
        foreach (var check in s_checks)
        {
            check.Value();
        }
    }

    public readonly struct Registration(long id) : IDisposable
    {
        public void Dispose() => s_checks.TryRemove(id, out _);
    }
}
