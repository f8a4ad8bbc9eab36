using Platform.Streams;
using Platform.Streams.Access;
using Platform.Streams.Security;
using Platform.Workers.Rules;

namespace Platform.Workers.Forward;

/// <summary>
/// One forward worker of a stream: a destination of the rule (resolved for the stream), or the rule's
/// backend, asked at start for destinations of its own; and how it reconnects.
/// </summary>
public sealed record ForwardSettings(string Name, StreamKey Stream, ForwardDestination? Destination, Uri? Backend, TimeSpan ReconnectMin, TimeSpan ReconnectMax)
{
    /// <summary>Connecting and publishing must be done within this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A destination that takes nothing of a write for this long is given up (and connected again).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string WorkerName => WorkerPlanner.ForwardWorkerPrefix + Name;
}

/// <summary>A forward of the stream's rule, or why it does not run.</summary>
public sealed record ForwardPlan(string Name, ForwardSettings? Settings, string Reason)
{
    public string WorkerName => WorkerPlanner.ForwardWorkerPrefix + Name;
}

/// <summary>What forward workers need of the node: its id for <c>on_forward</c>, and the HTTP client to ask backends with.</summary>
public sealed record ForwardHost(string ServerId, HttpClient? Http = null)
{
    public static readonly ForwardHost Default = new(string.Empty);
}

/// <summary>
/// Pure planning of a rule's forwards for one stream: <c>forward-N</c> for the N-th destination (0-based),
/// <c>forward-backend</c> for the backend. A destination that does not resolve to a valid RTMP URL is refused
/// with the key that holds it.
/// </summary>
public static class ForwardPlanning
{
    /// <summary>The worker name (after the prefix) of the backend's forward.</summary>
    public const string BackendName = "backend";

    /// <param name="force">An operator asks: a rule with forwarding off still gives its forwards.</param>
    public static List<ForwardPlan> Plan(ForwardRule rule, string key, StreamKey stream, IReadOnlyList<LineageStep> lineage, bool force = false)
    {
        var plans = new List<ForwardPlan>();
        for (var i = 0; i < rule.Destinations.Count; i++)
        {
            plans.Add(PlanDestination(rule, key, i, stream, lineage, force));
        }

        if (!string.IsNullOrWhiteSpace(rule.Backend))
        {
            plans.Add(PlanBackend(rule, key, stream, force));
        }

        return plans;
    }

    /// <summary>The forward named <paramref name="name"/> (an index or <c>backend</c>), or why there is none.</summary>
    public static ForwardPlan PlanOne(ForwardRule rule, string key, StreamKey stream, IReadOnlyList<LineageStep> lineage, string name)
    {
        if (name == BackendName)
        {
            return string.IsNullOrWhiteSpace(rule.Backend)
                ? new ForwardPlan(name, null, $"{key}:Forward has no Backend")
                : PlanBackend(rule, key, stream, force: true);
        }

        return int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            && index < rule.Destinations.Count && index.ToString(System.Globalization.CultureInfo.InvariantCulture) == name
            ? PlanDestination(rule, key, index, stream, lineage, force: true)
            : new ForwardPlan(name, null, $"{key}:Forward has no destination {LogText.Printable(name)} (0 to {rule.Destinations.Count - 1}, or backend)");
    }

    private static ForwardPlan PlanDestination(ForwardRule rule, string key, int index, StreamKey stream, IReadOnlyList<LineageStep> lineage, bool force)
    {
        var name = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var at = $"{key}:Forward:Destinations:{index}";
        if (!rule.IsEnabled && !force)
        {
            return new ForwardPlan(name, null, $"forward disabled by {key}:Forward:Enabled");
        }

        var engine = lineage.Count > 0 ? lineage[^1].Engine : null;
        var destination = ForwardDestination.TryParse(ForwardDestination.Resolve(rule.Destinations[index], stream, engine), out var problem);
        return destination is null
            ? new ForwardPlan(name, null, $"{at} {problem}")
            : new ForwardPlan(name, new ForwardSettings(name, stream, destination, null, rule.ReconnectMin, rule.ReconnectMax), $"forward by {at} to {destination.Redacted}");
    }

    private static ForwardPlan PlanBackend(ForwardRule rule, string key, StreamKey stream, bool force)
    {
        var at = $"{key}:Forward:Backend";
        if (!rule.IsEnabled && !force)
        {
            return new ForwardPlan(BackendName, null, $"forward disabled by {key}:Forward:Enabled");
        }

        if (BackendHttp.UrlProblem(rule.Backend) is { } problem)
        {
            return new ForwardPlan(BackendName, null, $"{at} {problem}");
        }

        var backend = new Uri(rule.Backend.Trim(), UriKind.Absolute);
        return new ForwardPlan(BackendName, new ForwardSettings(BackendName, stream, null, backend, rule.ReconnectMin, rule.ReconnectMax), $"forward by {at}: destinations from {LogText.Redacted(rule.Backend)}");
    }
}
