using System.Diagnostics;

namespace Platform.Workers.Tests.TestSupport;

/// <summary>Waits for a condition by polling, failing with a description when it does not come true in time.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"Not within {limit.TotalSeconds} s: {what}");
            await Task.Delay(25);
        }
    }
}
