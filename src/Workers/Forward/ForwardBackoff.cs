namespace Platform.Workers.Forward;

/// <summary>
/// Waits between reconnects to one destination: <c>min</c>, then doubled after each failure up to <c>max</c>.
/// A connection that forwarded for a while (<see cref="StableAfter"/>) starts the sequence over.
/// </summary>
public sealed class ForwardBackoff
{
    /// <summary>A connection that forwarded this long was healthy: its failure waits <c>min</c> again.</summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public ForwardBackoff(TimeSpan min, TimeSpan max)
    {
        // The configuration is validated; a zero or negative wait still never turns into a reconnect storm.
        _min = min > TimeSpan.Zero ? min : TimeSpan.FromSeconds(1);
        _max = max < _min ? _min : max;
        _next = _min;
    }

    /// <summary>The wait before the next attempt; the one after it is doubled (at most <c>max</c>).</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next.Ticks > _max.Ticks / 2 ? _max : _next * 2;
        return delay;
    }

    /// <summary>A connection ended after forwarding for <paramref name="forwardedFor"/>: a long one resets the sequence.</summary>
    public TimeSpan AfterConnection(TimeSpan forwardedFor)
    {
        if (forwardedFor >= StableAfter)
        {
            Reset();
        }

        return Next();
    }

    public void Reset() => _next = _min;
}
