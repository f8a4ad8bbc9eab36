namespace Platform.Workers.Processes;

/// <summary>
/// The last lines a process wrote, bounded in count and in line length: a process that runs for days
/// never holds more than <c>capacity * MaxLineLength</c> characters here.
/// </summary>
public sealed class LogTail(int capacity = 40)
{
    public const int MaxLineLength = 400;
    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _gate = new();
    private long _total;

    /// <summary>Lines written since the start, kept or not.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(string line)
    {
        if (line.Length > MaxLineLength)
        {
            line = string.Concat(line.AsSpan(0, MaxLineLength), "…");
        }

        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
            _total++;
        }
    }

    public IReadOnlyList<string> Lines(int last = int.MaxValue)
    {
        lock (_gate)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - last)).ToArray();
        }
    }

    /// <summary>The last line that is not blank, as the likely reason a run ended.</summary>
    public string? LastLine()
    {
        lock (_gate)
        {
            return _lines.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        }
    }
}
