namespace Platform.Api.Hosting;

/// <summary>
/// Ready = this node is an Up cluster member, every listener is open, and it is not draining (an edge also
/// needs an origin up). Persistence is checked apart, by <see cref="PersistenceCheck"/>.
/// </summary>
public sealed class Readiness
{
    private volatile bool _memberUp;
    private volatile bool _listening;
    private volatile bool _originsAvailable = true;
    private volatile string? _draining;

    public bool IsReady => _memberUp && _listening && _originsAvailable && _draining is null;

    public bool IsDraining => _draining is not null;

    public string Describe() =>
        _draining is { } why
            ? "draining: " + why
            : $"cluster member up: {_memberUp}, listeners open: {_listening}" + (_originsAvailable ? string.Empty : ", no origin up in the cluster (this node is an edge)");

    /// <summary>An edge is ready only while some origin is up.</summary>
    public void OriginsAvailable(bool available) => _originsAvailable = available;

    public void MemberUp() => _memberUp = true;

    public void MemberLeft() => _memberUp = false;

    public void ListenersOpen() => _listening = true;

    /// <summary>From now on the node is not ready, for good: it is leaving.</summary>
    public void Draining(string why) => _draining ??= why;
}
