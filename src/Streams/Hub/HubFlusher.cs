using System.Collections.Concurrent;

namespace Platform.Streams.Hub;

/// <summary>
/// One ticker for every hub of the process: a hub holding frames that did not wake some reader (merged
/// writes, audio waiting for the next video frame) enlists here with the time they fall due, and is
/// flushed on the first tick past it. One timer firing a few dozen times a second replaces a timer per
/// hub re-armed on every merge window; it runs only while some hub is enlisted.
/// </summary>
internal static class HubFlusher
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    private static readonly ConcurrentQueue<StreamHub> s_enlisted = new();
    private static readonly Lock s_timerLock = new();
    private static Timer? s_timer;
    private static int s_running;

    public static void Enlist(StreamHub hub)
    {
        s_enlisted.Enqueue(hub);
        if (Interlocked.CompareExchange(ref s_running, 1, 0) == 0)
        {
            lock (s_timerLock)
            {
                s_timer ??= new Timer(static _ => OnTick(), null, Timeout.Infinite, Timeout.Infinite);
                s_timer.Change(Tick, Tick);
            }
        }
    }

    private static void OnTick()
    {
        var now = TimeProvider.System.GetTimestamp();
        for (var pending = s_enlisted.Count; pending > 0 && s_enlisted.TryDequeue(out var hub); pending--)
        {
            if (!hub.FlushIfDue(now))
            {
                s_enlisted.Enqueue(hub);
            }
        }

        if (s_enlisted.IsEmpty)
        {
            lock (s_timerLock)
            {
                Volatile.Write(ref s_running, 0);
                if (s_enlisted.IsEmpty)
                {
                    s_timer!.Change(Timeout.Infinite, Timeout.Infinite);
                }
                else
                {
                    Volatile.Write(ref s_running, 1);
                }
            }
        }
    }
}
