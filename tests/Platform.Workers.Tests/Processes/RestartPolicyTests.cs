using Platform.Workers.Processes;

namespace Platform.Workers.Tests.Processes;

public sealed class RestartPolicyTests
{
    private static readonly RestartOptions Options = new()
    {
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(5),
        StableAfter = TimeSpan.FromSeconds(30),
        MaxFastFailures = 6,
    };

    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(2);

    [Fact]
    public void Each_fast_failure_doubles_the_wait_up_to_the_cap()
    {
        var policy = new RestartPolicy(Options);
        var delays = new List<TimeSpan>();
        for (var i = 1; i <= 5; i++)
        {
            var decision = policy.RunEnded(Fast);
            Assert.False(decision.GiveUp);
            Assert.Equal(i, decision.FastFailures);
            Assert.Equal(i, policy.FastFailures);
            delays.Add(decision.Delay);
        }

        Assert.Equal([1, 2, 4, 5, 5], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void It_gives_up_after_the_maximum_of_fast_failures_in_a_row()
    {
        var policy = new RestartPolicy(Options with { MaxFastFailures = 3 });
        Assert.False(policy.RunEnded(Fast).GiveUp);
        Assert.False(policy.RunEnded(Fast).GiveUp);
        var third = policy.RunEnded(Fast);
        Assert.True(third.GiveUp);
        Assert.Equal(3, third.FastFailures);
        Assert.Equal(TimeSpan.Zero, third.Delay);
    }

    [Fact]
    public void A_run_that_lasted_restarts_at_once_and_clears_the_count()
    {
        var policy = new RestartPolicy(Options with { MaxFastFailures = 3 });
        policy.RunEnded(Fast);
        policy.RunEnded(Fast);
        Assert.Equal(2, policy.FastFailures);

        // Exactly StableAfter counts as stable; just under it does not.
        var stable = policy.RunEnded(Options.StableAfter);
        Assert.Equal(new RestartDecision(false, TimeSpan.Zero, 0), stable);
        Assert.Equal(0, policy.FastFailures);

        var next = policy.RunEnded(Options.StableAfter - TimeSpan.FromTicks(1));
        Assert.False(next.GiveUp);
        Assert.Equal(1, next.FastFailures);
        Assert.Equal(Options.InitialBackoff, next.Delay); // the backoff starts over
        Assert.False(policy.RunEnded(Fast).GiveUp); // two in a row again, not four
    }

    [Fact]
    public void Reset_starts_the_count_over()
    {
        var policy = new RestartPolicy(Options with { MaxFastFailures = 2 });
        Assert.False(policy.RunEnded(Fast).GiveUp);
        Assert.True(policy.RunEnded(Fast).GiveUp);

        policy.Reset();
        Assert.Equal(0, policy.FastFailures);
        var decision = policy.RunEnded(Fast);
        Assert.False(decision.GiveUp);
        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
    }

    [Fact]
    public void Many_failures_never_overflow_the_cap()
    {
        var policy = new RestartPolicy(Options with { MaxFastFailures = 100, MaxBackoff = TimeSpan.FromMinutes(10) });
        for (var i = 1; i < 100; i++)
        {
            var decision = policy.RunEnded(Fast);
            Assert.False(decision.GiveUp);
            Assert.InRange(decision.Delay, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        }

        Assert.True(policy.RunEnded(Fast).GiveUp);
    }

    [Fact]
    public void A_cause_retrying_does_not_cure_gives_up_after_a_few_tries_even_when_network_errors_never_do()
    {
        var policy = new RestartPolicy(Options with { MaxFastFailures = int.MaxValue, MaxPermanentFailures = 3 });
        for (var i = 0; i < 50; i++)
        {
            Assert.False(policy.RunEnded(Fast).GiveUp); // a network error: retried for ever
        }

        Assert.False(policy.RunEnded(Fast, permanent: true).GiveUp);
        Assert.False(policy.RunEnded(Fast, permanent: true).GiveUp);
        Assert.False(policy.RunEnded(Fast).GiveUp); // not in a row: counts again from zero
        Assert.False(policy.RunEnded(Fast, permanent: true).GiveUp);
        Assert.False(policy.RunEnded(Fast, permanent: true).GiveUp);
        var decision = policy.RunEnded(Fast, permanent: true);
        Assert.True(decision.GiveUp);
        Assert.True(decision.Permanent);
    }
}
