using Platform.Streams.Sources;

namespace Platform.Streams.Tests.Sources;

public sealed class SourceDemandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(10);

    [Fact]
    public void An_on_demand_source_runs_while_read_and_for_its_linger_after()
    {
        var demand = new SourceDemand(alwaysOn: false, Linger);
        Assert.False(demand.Wanted(T0));
        Assert.Null(demand.NextCheck(T0));

        demand.ReadersChanged(2, T0);
        Assert.True(demand.Wanted(T0));
        Assert.Null(demand.NextCheck(T0)); // readers keep it: nothing to check by time

        demand.ReadersChanged(0, T0.AddSeconds(5));
        Assert.True(demand.Wanted(T0.AddSeconds(14.9)));
        Assert.Equal(T0.AddSeconds(15), demand.NextCheck(T0.AddSeconds(6)));
        Assert.False(demand.Wanted(T0.AddSeconds(15)));
    }

    [Fact]
    public void A_reader_arriving_in_the_linger_keeps_it_and_the_linger_starts_over_when_it_leaves()
    {
        var demand = new SourceDemand(alwaysOn: false, Linger);
        demand.ReadersChanged(1, T0);
        demand.ReadersChanged(0, T0.AddSeconds(1));
        demand.ReadersChanged(1, T0.AddSeconds(8));
        Assert.True(demand.Wanted(T0.AddSeconds(30)));
        demand.ReadersChanged(0, T0.AddSeconds(30));
        Assert.True(demand.Wanted(T0.AddSeconds(39)));
        Assert.False(demand.Wanted(T0.AddSeconds(40)));
    }

    [Fact]
    public void An_always_on_source_runs_while_its_keep_alives_come()
    {
        var demand = new SourceDemand(alwaysOn: true, Linger);
        Assert.False(demand.Wanted(T0)); // not before the first keep-alive
        demand.Kept(T0);
        Assert.True(demand.Wanted(T0.AddSeconds(11)));
        Assert.Equal(T0 + SourceDemand.KeepAliveTimeout, demand.NextCheck(T0.AddSeconds(1)));
        Assert.False(demand.Wanted(T0 + SourceDemand.KeepAliveTimeout));
    }

    [Fact]
    public void An_operator_overrides_both_ways()
    {
        var demand = new SourceDemand(alwaysOn: true, Linger);
        demand.Kept(T0);
        demand.ReadersChanged(3, T0);
        demand.Override = SourceOverride.Stopped;
        Assert.False(demand.Wanted(T0));

        var onDemand = new SourceDemand(alwaysOn: false, Linger) { Override = SourceOverride.Started };
        Assert.True(onDemand.Wanted(T0.AddHours(5)));
        Assert.Null(onDemand.NextCheck(T0));
        onDemand.Override = SourceOverride.None;
        Assert.False(onDemand.Wanted(T0.AddHours(5)));
    }
}
