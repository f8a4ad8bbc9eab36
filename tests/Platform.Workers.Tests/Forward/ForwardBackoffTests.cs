using Platform.Workers.Forward;

namespace Platform.Workers.Tests.Forward;

public sealed class ForwardBackoffTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Waits_double_from_the_minimum_up_to_the_maximum()
    {
        var backoff = new ForwardBackoff(S(1), S(30));

        var waits = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], waits);
    }

    [Fact]
    public void A_connection_that_forwarded_for_a_while_starts_the_sequence_over()
    {
        var backoff = new ForwardBackoff(S(0.5), S(8));
        backoff.Next();
        backoff.Next();

        Assert.Equal(S(2), backoff.AfterConnection(S(1)));
        Assert.Equal(S(0.5), backoff.AfterConnection(ForwardBackoff.StableAfter));
        Assert.Equal(S(1), backoff.Next());
    }

    [Fact]
    public void A_maximum_below_the_minimum_is_the_minimum_and_a_zero_minimum_is_a_second()
    {
        Assert.Equal([S(5), S(5)], new[] { new ForwardBackoff(S(5), S(1)) }.SelectMany(b => new[] { b.Next(), b.Next() }));
        Assert.Equal(S(1), new ForwardBackoff(TimeSpan.Zero, S(30)).Next());
    }
}
