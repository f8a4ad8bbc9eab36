namespace Platform.Streams.Sources;

public enum SourceOverride
{
    None,

    /// <summary>An operator started it: it runs without readers until stopped.</summary>
    Started,

    /// <summary>An operator stopped it: it does not run, whatever wants it, until started.</summary>
    Stopped,
}

/// <summary>
/// Whether a stream's source should run now, free of actors: an always-on source while its keep-alives
/// come, an on-demand one while it has readers and for <c>CloseAfter</c> after the last one left, either
/// when an operator started it, neither when an operator stopped it. The entity starts or stops its source
/// child after each change and checks again at <see cref="NextCheck"/>.
/// </summary>
public sealed class SourceDemand
{
    /// <summary>An always-on source whose keep-alives stop (removed from the settings, or no node left that has it) stops after this.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(12);

    private readonly TimeSpan _closeAfter;
    private DateTimeOffset? _keptAt;
    private DateTimeOffset? _idleSince;
    private int _readers;

    public SourceDemand(bool alwaysOn, TimeSpan closeAfter)
    {
        AlwaysOn = alwaysOn;
        _closeAfter = closeAfter;
    }

    public bool AlwaysOn { get; }

    public SourceOverride Override { get; set; }

    public int Readers => _readers;

    /// <summary>The readers that want the stream now (the platform's own workers of this stream excluded).</summary>
    public void ReadersChanged(int count, DateTimeOffset now)
    {
        if (count == 0 && _readers > 0)
        {
            _idleSince = now;
        }
        else if (count > 0)
        {
            _idleSince = null;
        }

        _readers = count;
    }

    public void Kept(DateTimeOffset now) => _keptAt = now;

    public bool Wanted(DateTimeOffset now) => Override switch
    {
        SourceOverride.Stopped => false,
        SourceOverride.Started => true,
        _ => (AlwaysOn && _keptAt is { } kept && now - kept < KeepAliveTimeout)
            || _readers > 0
            || (_idleSince is { } idle && now - idle < _closeAfter),
    };

    /// <summary>When <see cref="Wanted"/> may turn false without another event (a linger or a keep-alive running out); null: not by itself.</summary>
    public DateTimeOffset? NextCheck(DateTimeOffset now)
    {
        if (Override != SourceOverride.None || _readers > 0)
        {
            return null;
        }

        DateTimeOffset? next = null;
        if (_idleSince is { } idle && idle + _closeAfter > now)
        {
            next = idle + _closeAfter;
        }

        if (AlwaysOn && _keptAt is { } kept && kept + KeepAliveTimeout > now && (next is null || kept + KeepAliveTimeout > next))
        {
            next = kept + KeepAliveTimeout;
        }

        return next;
    }
}
