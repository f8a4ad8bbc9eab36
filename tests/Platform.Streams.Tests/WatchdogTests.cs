namespace Platform.Streams.Tests;

public class WatchdogTests
{
    [Fact]
    public async Task A_registered_check_runs_every_second_until_its_handle_is_disposed()
    {
        var runs = 0;
        var twice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = Watchdog.Register(() =>
        {
            if (Interlocked.Increment(ref runs) == 2)
            {
                twice.TrySetResult();
            }
        });
        await twice.Task.WaitAsync(TimeSpan.FromSeconds(10));
        registration.Dispose();
        var after = Volatile.Read(ref runs);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.InRange(Volatile.Read(ref runs), after, after + 1); // at most a run already under way
    }
}
