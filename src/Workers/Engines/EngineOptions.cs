using Platform.Workers.Processes;

namespace Platform.Workers.Engines;

/// <summary>How the node runs engines' processes (configuration section <c>Engines</c>).</summary>
public sealed class EngineOptions
{
    /// <summary>The ffmpeg binary: a path, or a name looked up on PATH.</summary>
    public string Ffmpeg { get; set; } = "ffmpeg";

    /// <summary>An engine that shows no progress for this long is hung: killed and started again.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An engine that shows no progress this long after it started is treated as hung.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After SIGINT, how long ffmpeg has to finish before it is killed.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait before the first restart; doubled after each fast failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A run that lasted this long was healthy: the backoff starts over.</summary>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fast failures in a row after which an engine is left <c>failed</c>.</summary>
    public int MaxFastFailures { get; set; } = 5;

    /// <summary>Lines of each engine's log kept for the API (the rest is dropped as it comes).</summary>
    public int LogLines { get; set; } = 40;

    public SupervisorOptions Supervisor() => new()
    {
        StallTimeout = StallTimeout,
        StartTimeout = StartTimeout,
        StopGrace = StopGrace,
        LogLines = LogLines,
        Restart = new RestartOptions
        {
            InitialBackoff = InitialBackoff,
            MaxBackoff = MaxBackoff,
            StableAfter = StableAfter,
            MaxFastFailures = MaxFastFailures,
        },
    };
}

/// <summary>What engines need of the node they run on: its options, its RTMP listener, the process records.</summary>
public sealed record EngineHost(EngineOptions Options, string RtmpHost, int RtmpPort, ChildProcessReaper Reaper);
