namespace Platform.Api.Hosting;

/// <summary>Ready = this node is an Up cluster member and every listener is open.</summary>
public sealed class Readiness
{
    private volatile bool _memberUp;
    private volatile bool _listening;

    public bool IsReady => _memberUp && _listening;

    public string Describe() => $"cluster member up: {_memberUp}, listeners open: {_listening}";

    public void MemberUp() => _memberUp = true;

    public void MemberLeft() => _memberUp = false;

    public void ListenersOpen() => _listening = true;
}
