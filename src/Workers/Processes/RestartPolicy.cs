namespace Platform.Workers.Processes;

/// <summary>How a supervised process is restarted: backoff that doubles after each fast failure, and a give-up.</summary>
public sealed record RestartOptions
{
    /// <summary>Wait before the first restart after a fast failure; doubled for each one that follows.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A run that lasted this long was healthy: the next failure starts the backoff again.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fast failures in a row after which the process is left failed until an operator starts it again.</summary>
    public int MaxFastFailures { get; init; } = 5;

    /// <summary>
    /// Runs in a row that ended in a way retrying does not cure (the stream does not exist at its source), after
    /// which it gives up at once, whatever <see cref="MaxFastFailures"/> says.
    /// </summary>
    public int MaxPermanentFailures { get; init; } = 3;
}

/// <summary>What to do after a run ended: start again after <see cref="Delay"/>, or give up.</summary>
public readonly record struct RestartDecision(bool GiveUp, TimeSpan Delay, int FastFailures)
{
    /// <summary>It gives up because retrying does not cure the cause (see <see cref="RestartOptions.MaxPermanentFailures"/>).</summary>
    public bool Permanent { get; init; }
}

/// <summary>
/// Pure restart decisions for one supervised process. A run shorter than <see cref="RestartOptions.StableAfter"/>
/// is a fast failure: each doubles the wait, and <see cref="RestartOptions.MaxFastFailures"/> of them in a row
/// give up (no respawn storm). A run that lasted restarts at once and clears the count.
/// </summary>
public sealed class RestartPolicy(RestartOptions options)
{
    private int _fastFailures;
    private int _permanentFailures;

    public RestartOptions Options { get; } = options;

    public int FastFailures => _fastFailures;

    /// <param name="permanent">The run ended in a way that retrying does not cure (the stream does not exist at its source).</param>
    public RestartDecision RunEnded(TimeSpan ranFor, bool permanent = false)
    {
        if (ranFor >= Options.StableAfter)
        {
            _fastFailures = 0;
            _permanentFailures = 0;
            return new RestartDecision(false, TimeSpan.Zero, 0);
        }

        _permanentFailures = permanent ? _permanentFailures + 1 : 0;
        if (permanent && _permanentFailures >= Options.MaxPermanentFailures)
        {
            return new RestartDecision(true, TimeSpan.Zero, _fastFailures + 1) { Permanent = true };
        }

        _fastFailures++;
        if (_fastFailures >= Options.MaxFastFailures)
        {
            return new RestartDecision(true, TimeSpan.Zero, _fastFailures);
        }

        var delay = TimeSpan.FromTicks(Math.Min(Options.MaxBackoff.Ticks, Options.InitialBackoff.Ticks << Math.Min(_fastFailures - 1, 20)));
        return new RestartDecision(false, delay, _fastFailures);
    }

    /// <summary>An operator starts it again: the count starts over.</summary>
    public void Reset()
    {
        _fastFailures = 0;
        _permanentFailures = 0;
    }
}
