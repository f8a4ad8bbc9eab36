namespace Platform.Load.Modes;

/// <summary>
/// A shared clock for rtmpload's <c>-w</c>: after each read a player waits for the next tick, so every
/// player reads at most once per interval, in fewer and larger reads (a cheaper client; on loopback it also
/// changes what the server pays to wake it). All players await the same task: no timer per player.
/// </summary>
public sealed class ReadPacer : IDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    public ReadPacer(TimeSpan interval)
    {
        _timer = new PeriodicTimer(interval);
        _ = TickAsync();
    }

    /// <summary>Completes at the next tick (at once after <see cref="Dispose"/>).</summary>
    public Task NextTick => Volatile.Read(ref _disposed) ? Task.CompletedTask : Volatile.Read(ref _next).Task;

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _next.TrySetResult();
        }

        _timer.Dispose();
    }

    private async Task TickAsync()
    {
        while (await _timer.WaitForNextTickAsync())
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                var due = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                due.SetResult();
            }
        }
    }
}
