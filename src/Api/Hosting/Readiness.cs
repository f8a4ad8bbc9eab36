namespace Platform.Api.Hosting;

/// <summary>Ready = this node is an Up cluster member and every listener is open.</summary>
public sealed class Readiness
{
    private volatile bool _memberUp;
    private volatile bool _listening;
    private volatile bool _originsAvailable = true;

    public bool IsReady => _memberUp && _listening && _originsAvailable;

    public string Describe() =>
        $"cluster member up: {_memberUp}, listeners open: {_listening}" + (_originsAvailable ? string.Empty : ", no origin up in the cluster (this node is an edge)");

    /// <summary>An edge is ready only while some origin is up.</summary>
    public void OriginsAvailable(bool available) => _originsAvailable = available;

    public void MemberUp() => _memberUp = true;

    public void MemberLeft() => _memberUp = false;

    public void ListenersOpen() => _listening = true;
}
