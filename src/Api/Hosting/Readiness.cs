namespace Platform.Api.Hosting;

/// <summary>
/// What the node knows of its own readiness beyond the cluster: every listener is open, it is not draining,
/// and (an edge) an origin is up. The cluster member's status and persistence are checked apart (see
/// <see cref="HealthChecks"/>).
/// </summary>
public sealed class Readiness
{
    private volatile bool _listening;
    private volatile bool _originsAvailable = true;
    private volatile string? _draining;

    public bool IsReady => _listening && _originsAvailable && _draining is null;

    public bool IsDraining => _draining is not null;

    public string Describe() =>
        _draining is { } why
            ? "draining: " + why
            : $"listeners open: {_listening}" + (_originsAvailable ? string.Empty : ", no origin up in the cluster (this node is an edge)");

    /// <summary>An edge is ready only while some origin is up.</summary>
    public void OriginsAvailable(bool available) => _originsAvailable = available;

    public void ListenersOpen() => _listening = true;

    /// <summary>From now on the node is not ready, for good: it is leaving.</summary>
    public void Draining(string why) => _draining ??= why;
}
