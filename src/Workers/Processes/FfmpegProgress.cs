namespace Platform.Workers.Processes;

/// <summary>
/// Reads ffmpeg's <c>-progress</c> output (<c>key=value</c> lines, a block ended by <c>progress=continue</c>
/// or <c>progress=end</c>). Progress means the output grew or its time advanced since the last block: the
/// stall watchdog asks <see cref="Advanced"/>.
/// </summary>
public sealed class FfmpegProgress
{
    private long _frame = -1;
    private long _outTimeUs = -1;
    private long _totalSize = -1;
    private bool _changed;

    public long Frame => _frame;

    public long TotalSize => _totalSize;

    /// <summary>Output time in microseconds, or -1 before the first block.</summary>
    public long OutTimeUs => _outTimeUs;

    public double Speed { get; private set; }

    /// <summary>Blocks read so far.</summary>
    public long Blocks { get; private set; }

    /// <summary>Takes one line; true when it ended a block in which the output advanced.</summary>
    public bool Advanced(string line)
    {
        var eq = line.IndexOf('=');
        if (eq <= 0)
        {
            return false;
        }

        var key = line.AsSpan(0, eq).Trim();
        var value = line.AsSpan(eq + 1).Trim();
        switch (key)
        {
            case "frame":
                Update(ref _frame, value);
                break;
            case "out_time_us":
            case "out_time_ms": // ffmpeg 5 writes microseconds under both names
                Update(ref _outTimeUs, value);
                break;
            case "total_size":
                Update(ref _totalSize, value);
                break;
            case "speed":
                Speed = double.TryParse(value.TrimEnd('x'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var speed) ? speed : 0;
                break;
            case "progress":
                Blocks++;
                var advanced = _changed;
                _changed = false;
                return advanced;
        }

        return false;
    }

    private void Update(ref long field, ReadOnlySpan<char> value)
    {
        if (long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > field)
        {
            field = parsed;
            _changed = true;
        }
    }
}
