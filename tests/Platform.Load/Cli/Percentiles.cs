namespace Platform.Load.Cli;

/// <summary>Nearest-rank percentiles over a sorted list, as rtmpload computes them (-1 when empty).</summary>
public static class Percentiles
{
    public static long Of(List<long> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return -1;
        }

        var index = (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }
}
