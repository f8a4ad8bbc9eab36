namespace Platform.Streams.Telemetry;

/// <summary>
/// Turns a growing byte total into a bit rate: each sample at least <c>minWindow</c> after the previous
/// one gives the average kbit/s over the time between them; a sample sooner than that returns the last
/// rate (two collectors reading at once do not get a rate over a few microseconds). Thread-safe.
/// </summary>
public sealed class RateMeter
{
    private readonly Lock _lock = new();
    private readonly long _minWindowTicks;
    private readonly long _frequency;
    private long _lastTotal;
    private long _lastTicks;
    private double _kbps;

    /// <param name="startTotal">The total at <paramref name="startTicks"/> (the first rate is measured from there).</param>
    /// <param name="frequency">Ticks per second of the timestamps (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public RateMeter(long startTotal, long startTicks, TimeSpan minWindow, long frequency)
    {
        _lastTotal = startTotal;
        _lastTicks = startTicks;
        _frequency = frequency;
        _minWindowTicks = (long)(minWindow.TotalSeconds * frequency);
    }

    /// <summary>The rate in kbit/s (1000 bits) with <paramref name="total"/> bytes counted at <paramref name="nowTicks"/>.</summary>
    public double Sample(long total, long nowTicks)
    {
        lock (_lock)
        {
            var elapsed = nowTicks - _lastTicks;
            if (elapsed < _minWindowTicks || elapsed <= 0)
            {
                return _kbps;
            }

            // A total that went down (cannot happen with monotonic sources) restarts the measure.
            var bytes = Math.Max(0, total - _lastTotal);
            _kbps = bytes * 8 / 1000.0 / ((double)elapsed / _frequency);
            _lastTotal = total;
            _lastTicks = nowTicks;
            return _kbps;
        }
    }
}
